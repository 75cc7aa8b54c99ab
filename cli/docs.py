"""``llmctl docs``: sync (write the API reference), check (drift), watch (keep docs and index fresh)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from llmctl.cli.output import console, print_json

docs_app = typer.Typer(help="Generate, check and watch API documentation.",
                       no_args_is_help=True)


@docs_app.command("sync")
def sync_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Only the pages of these files or folders (the index stays complete)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show which pages would change; write nothing, ask no model."),
    check: bool = typer.Option(False, "--check", help="Exit 1 if the docs are out of date; write nothing, ask no model."),
    no_model: bool = typer.Option(False, "--no-model", help="Facts only: missing prose stays marked as a gap."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary: pages_written, symbols, generated, cache_hits, model_calls."),
) -> None:
    """Write/refresh the API reference under docs.out_dir (default docs/api/): one Markdown page per public
    module or package, index.md and a .pages nav file (a MkDocs docs dir as it is).

    What is documented is the public API as each language defines it (Python
    __all__ and package re-exports, Go packages, JS/TS entry points, Rust pub
    items reachable from the crate root, Java public in src/main); tests,
    examples, benchmarks, vendored and generated code never are. Signatures, parameters, types, defaults and source links come from the code.
    The model writes only what the code lacks (summaries, parameter
    descriptions), marked "(generated)"; a parameter passed on unchanged to a
    documented callee's parameter of the same name takes its description instead,
    marked "(as in callee)". Sections stay wrapped in llmctl markers;
    text outside them is yours and is kept byte for byte. A re-run on unchanged
    code asks the model nothing and rewrites nothing. If no server answers at
    the default URL, an embedded one runs for this command.
    """
    from llmctl.core.docs.sync import sync
    from llmctl.core.project import open_project

    project = open_project(None)
    err = console(stderr=True)
    write = not (dry_run or check)
    use_model = not no_model and write
    if sys.stderr.isatty() and not json_out and use_model:
        from llmctl.cli.output import progress_bar

        with progress_bar("generating", "symbols") as bar:
            task = bar.add_task("gen", total=None)
            result = sync(project, use_model=use_model, write=write, paths=[str(p) for p in paths or []] or None,
                          on_total=lambda n: bar.update(task, total=n, refresh=True),
                          progress=lambda n: (bar.advance(task, n), bar.refresh()),
                          log=lambda m: bar.console.print(m))
    else:
        result = sync(project, use_model=use_model, write=write, paths=[str(p) for p in paths or []] or None,
                      log=lambda m: err.print(m))
    if json_out:
        print_json(result.to_json())
    else:
        out = console()
        verb = "would change" if not write else "written"
        changed = ", ".join(result.changed) or "none"
        out.print(f"{result.symbols} public symbols; pages {verb}: {changed}")
        out.print(f"prose: {result.generated} generated, {result.cache_hits} from cache, {result.model_calls} model calls, "
                  f"{result.gaps} gaps" + (f" (model: {result.model})" if result.model else ""))
        if result.gap_reasons:
            out.print("answers left as gaps: " + ", ".join(f"{n} {why}" for why, n in result.gap_reasons.items()))
    if result.hand_written:
        err.print(f"left alone, written by hand (no llmctl markers): {', '.join(result.hand_written)} in "
                  f"{project.config.docs.out_dir}; set docs.out_dir to put the reference elsewhere")
    if check and result.changed:
        raise typer.Exit(1)


@docs_app.command("check")
def check_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders to check (default: the whole repository)."),
    staged: bool = typer.Option(False, "--staged", help="Check what the staged change introduces (read from the git index): new findings in changed files, and Markdown naming what it changed."),
    since: Optional[str] = typer.Option(None, "--since", metavar="REV", help="Check what changed since a git revision introduces (as --staged, against REV)."),
    fmt: str = typer.Option("rich", "--format", "-f", help="rich | json | sarif | github"),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="info | warning | error (default: check.fail_on, warning)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Ignore findings recorded in this baseline file."),
    generate_baseline: Optional[Path] = typer.Option(None, "--generate-baseline", help="Write the current findings to FILE as the baseline and exit 0."),
    accept: bool = typer.Option(False, "--accept", help="Confirm every anchored link's current code in the lock file."),
    fix: bool = typer.Option(False, "--fix", help="Regenerate stale generated sections (docs sync), then report what is left; with --suggest, write the suggested doc comments."),
    suggest: bool = typer.Option(False, "--suggest", help="With --staged/--since: ask the model to rewrite each doc comment DOC401 flags, and print the diff (nothing is written without --fix)."),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="CODE", help="Explain a rule and exit."),
    hook: bool = typer.Option(False, "--hook", hidden=True, help="Run as the pre-commit hook (honours hooks.mode)."),
) -> None:
    """Flag documentation that no longer matches the code. No model, no network, no file touched.

    Rules (see --explain CODE): DOC1xx-6xx doc comment vs signature, GEN00x
    generated docs vs code, MD00x hand-written Markdown vs code, ANC00x anchored
    links; with --staged/--since, DOC401 for doc comments the change left stale.
    Exit 0 clean, 1 findings at or above --fail-on, 2 usage error.
    """
    if explain:
        _explain(explain)
        return
    _check_options(fmt, fail_on, suggest and not (staged or since))
    from llmctl.core.check.report import fails
    from llmctl.core.check.run import accept as accept_links, run_check
    from llmctl.core.check.suppress import write_baseline
    from llmctl.core.project import open_project

    project = open_project(None)
    if accept:
        n = accept_links(project)
        console(stderr=True).print(f"confirmed {n} anchored links in {project.config.check.lock_file}")
        return
    hook = hook or os.environ.get("PRE_COMMIT") == "1" and staged
    if fix and not suggest:
        _fix(project)
    result = run_check(project, paths=[str(p) for p in paths] if paths else None, staged=staged, since=since,
                       baseline=baseline)
    if generate_baseline is not None:
        write_baseline(generate_baseline, result.findings)
        console(stderr=True).print(f"wrote {len(result.findings)} findings to {generate_baseline}")
        return
    from llmctl.cli import check_output

    check_output.emit(fmt, result, project.root)
    if suggest:
        from llmctl.cli.suggest_output import suggest_fixes

        suggest_fixes(project, result, write=fix)
    threshold = fail_on or project.config.check.fail_on
    if fails(result.findings, threshold):
        if hook and project.config.hooks.mode == "warn":
            console(stderr=True).print("[yellow]llmctl: hooks.mode = warn — committing anyway[/]")
            return
        if hook:
            console(stderr=True).print("llmctl: commit stopped by doc drift (fix it, or `git commit --no-verify`)")
        raise typer.Exit(1)


def _check_options(fmt: str, fail_on: Optional[str], suggest_without_change: bool) -> None:
    from llmctl.cli.output import fail

    if fmt not in ("rich", "json", "sarif", "github"):
        fail(f"--format {fmt!r} is not one of rich, json, sarif, github", "pick one of those")
    if fail_on is not None and fail_on not in ("info", "warning", "error"):
        fail(f"--fail-on {fail_on!r} is not one of info, warning, error", "pick one of those")
    if suggest_without_change:
        fail("--suggest rewrites doc comments a change made stale", "add --staged or --since REV")


def _explain(code: str) -> None:
    from llmctl.cli.output import fail
    from llmctl.core.check.rules import RULES

    rule = RULES.get(code.upper())
    if rule is None:
        fail(f"--explain: no rule {code!r}", "codes: " + ", ".join(RULES))
    typer.echo(f"{rule.code} ({rule.severity}): {rule.title}\n\n{rule.explain}\n\nFix: {rule.fix}.")


def _fix(project) -> None:
    from llmctl.core.docs.sync import sync
    from llmctl.core.model.client import ModelUnavailable

    err = console(stderr=True)
    try:
        result = sync(project, log=lambda m: err.print(m))
    except ModelUnavailable as exc:
        err.print(f"[yellow]no model ({exc.message}); regenerating facts only[/]")
        result = sync(project, use_model=False)
    err.print(f"--fix: regenerated {result.sections_rendered} sections; pages written: {', '.join(result.changed) or 'none'}")


@docs_app.command("watch")
def watch_command(
    debounce: float = typer.Option(0.3, "--debounce", min=0.05, max=10, help="Seconds of quiet before a batch of changes is applied."),
) -> None:
    """Keep the symbol store, the search index and generated pages fresh while you edit.

    Watches the repository (watchdog); after each burst of saves, deletes or a
    branch switch it re-scans what changed, refreshes the search index and
    re-renders affected pages under docs.out_dir without the model (missing
    prose stays a marked gap until the next `docs sync`). One line per update;
    Ctrl-C stops it, and the store and index are consistent at any moment.
    """
    from llmctl.core.extras import require
    from llmctl.core.project import open_project
    from llmctl.core.watch import watch

    require("watch", "docs watch")
    require("search", "docs watch")
    import signal

    project = open_project(None)
    out = console()
    err = console(stderr=True)
    # Ctrl-C and SIGTERM stop the watcher, even when started from a shell that ignores
    # SIGINT for background jobs (Python then installs no handler of its own).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        watch(project, lambda up: (out.print(up.line(), highlight=False, soft_wrap=True), sys.stdout.flush()),
              debounce=debounce,
              on_ready=lambda: (err.print(f"watching {project.root} (Ctrl-C to stop)"), sys.stderr.flush()),
              on_error=lambda m: (err.print(m, highlight=False), sys.stderr.flush()))
    except KeyboardInterrupt:
        err.print("stopped")
    # Every update committed before it was reported (and an interrupted one rolled back), so
    # leave now: interpreter shutdown can wait on watchdog's and torch's worker threads.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
