"""``llmctl docs``: sync (write the API reference); check and watch come with issues #5 and #6."""

from __future__ import annotations

import sys

import typer

from llmctl.cli.output import console, not_yet, print_json

docs_app = typer.Typer(help="Generate, check and watch API documentation (check: issue #5, watch: issue #6).",
                       no_args_is_help=True)


@docs_app.command("sync")
def sync_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Show which pages would change; write nothing, ask no model."),
    check: bool = typer.Option(False, "--check", help="Exit 1 if the docs are out of date; write nothing, ask no model."),
    no_model: bool = typer.Option(False, "--no-model", help="Facts only: missing prose stays marked as a gap."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary: pages_written, symbols, generated, cache_hits, model_calls."),
) -> None:
    """Write/refresh one Markdown page per module plus index.md under docs.out_dir (default docs/api/).

    Signatures, parameters, types, defaults and source links come from the code.
    The model writes only what the code lacks (summaries, parameter
    descriptions), marked "(generated)". Sections stay wrapped in llmctl markers;
    text outside them is yours and is kept byte for byte. A re-run on unchanged
    code asks the model nothing and rewrites nothing. If no server answers at
    the default URL, an embedded one runs for this command.
    """
    from llmctl.core.docsync import sync
    from llmctl.core.project import open_project

    project = open_project(None)
    err = console(stderr=True)
    write = not (dry_run or check)
    use_model = not no_model and write
    if sys.stderr.isatty() and not json_out and use_model:
        from llmctl.cli.output import progress_bar

        with progress_bar("generating", "symbols") as bar:
            task = bar.add_task("gen", total=None)
            result = sync(project, use_model=use_model, write=write,
                          on_total=lambda n: bar.update(task, total=n, refresh=True),
                          progress=lambda n: (bar.advance(task, n), bar.refresh()),
                          log=lambda m: bar.console.print(m))
    else:
        result = sync(project, use_model=use_model, write=write, log=lambda m: err.print(m))
    if json_out:
        print_json(result.to_json())
    else:
        out = console()
        verb = "would change" if not write else "written"
        changed = ", ".join(result.changed) or "none"
        out.print(f"{result.symbols} public symbols; pages {verb}: {changed}")
        out.print(f"prose: {result.generated} generated, {result.cache_hits} from cache, {result.model_calls} model calls, "
                  f"{result.gaps} gaps" + (f" (model: {result.model})" if result.model else ""))
    if check and result.changed:
        raise typer.Exit(1)


@docs_app.command("check", help="Flag docs that no longer match the code. (not implemented yet: issue #5)")
def _docs_check() -> None:
    not_yet("docs check", 5)


@docs_app.command("watch", help="Keep docs and the search index fresh while files change. (not implemented yet: issue #6)")
def _docs_watch() -> None:
    not_yet("docs watch", 6)
