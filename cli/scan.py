"""``llmctl scan``: parse the repository into the symbol store and report coverage."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from llmctl.cli.output import console, print_json


def scan_command(
    path: Optional[Path] = typer.Argument(None, help="Directory (or file) to scan; default: the current directory."),
    json_out: bool = typer.Option(False, "--json", help="Print the files, symbols and skip counts as JSON."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Parser processes (default: one per core)."),
    store: Optional[str] = typer.Option(None, "--store", help="Store directory (default: <root>/.llmctl, or $LLMCTL_STORE)."),
) -> None:
    """Parse PATH with tree-sitter into the symbol store (only changed files are re-parsed).

    Prints a table per language: files, symbols, public symbols and the share of
    them that is documented, files with syntax errors, and parse time, then the
    files skipped by reason. Exit code 0, or 2 on a usage/environment error.
    """
    from llmctl.core.project import open_project
    from llmctl.core.store.scan import scan

    project = open_project(path, store)
    scope = path.resolve() if path is not None else None
    if scope is not None and scope == project.root:
        scope = None
    show_progress = not json_out and sys.stderr.isatty()
    if show_progress:
        report = _scan_with_progress(project, scope, jobs)
    else:
        report = scan(project, scope, jobs=jobs)
    if report.store_rebuilt:
        console(stderr=True).print(f"[yellow]warning:[/] store rebuilt: {report.store_rebuilt}")
    if json_out:
        _print_json(project, report)
    else:
        _print_table(report)


def _scan_with_progress(project, scope, jobs):
    from llmctl.cli.output import progress_bar
    from llmctl.core.store.scan import scan

    with progress_bar("parsing", "files") as bar:
        task = bar.add_task("parse", total=None)
        return scan(project, scope, jobs=jobs,
                    on_total=lambda n: bar.update(task, total=n, refresh=True),
                    progress=lambda n: (bar.advance(task, n), bar.refresh()))


def _print_json(project, report) -> None:
    from llmctl.core.store.db import Store

    with Store(project.store_dir) as store:
        symbols = [s.to_dict() for s in store.symbols(report.paths)]
    print_json({
        "root": str(report.root),
        "files": report.files,
        "parsed": report.parsed,
        "unchanged": report.unchanged,
        "deleted": report.deleted,
        "partial": report.partial,
        "seconds": round(report.seconds, 3),
        "languages": report.languages,
        "skipped": dict(report.skipped),
        "symbols": symbols,
    })


def _print_table(report) -> None:
    from rich.table import Table

    out = console()
    table = Table(title=f"llmctl scan — {report.root}", title_justify="left")
    for col, just in (("language", "left"), ("files", "right"), ("errors", "right"), ("symbols", "right"),
                      ("public", "right"), ("documented", "right"), ("parse time", "right")):
        table.add_column(col, justify=just)
    totals = dict(files=0, partial=0, symbols=0, public=0, documented=0, parse_ms=0.0)
    for lang in sorted(report.languages):
        s = report.languages[lang]
        table.add_row(lang, *_cells(s))
        for k in totals:
            totals[k] += s[k]
    if len(report.languages) > 1:
        table.add_section()
        table.add_row("total", *_cells(totals), style="bold")
    out.print(table)
    if not report.files and not report.skipped:
        out.print("[yellow]no supported source files found[/] (languages, include/exclude in config, and "
                  ".gitignore decide which files are scanned)")
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(report.skipped.items())) or "none"
    out.print(f"skipped: {skipped}")
    out.print(f"{report.files} files in {report.seconds:.2f}s: {report.parsed} parsed, "
              f"{report.unchanged} unchanged, {report.deleted} removed from the store")


def _cells(s: dict) -> list[str]:
    share = f"{100 * s['documented'] / s['public']:.0f}%" if s["public"] else "—"
    return [str(int(s["files"])), str(int(s["partial"])), str(int(s["symbols"])), str(int(s["public"])),
            share, f"{s['parse_ms'] / 1000:.2f}s"]
