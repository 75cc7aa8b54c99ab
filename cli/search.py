"""``llmctl index`` and ``llmctl search``: build the hybrid index, then query it.

Start-up is the product here: nothing heavier than NumPy, FAISS, SQLite and
``tokenizers`` is imported on the query path (no torch, no
sentence-transformers: see ``core/embed.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from llmctl.cli.output import console, fail, print_json


def index_command(
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop every chunk and vector and embed everything again."),
    json_out: bool = typer.Option(False, "--json", help="Print the index statistics as JSON."),
    store: Optional[str] = typer.Option(None, "--store", help="Store directory (default: <root>/.llmctl, or $LLMCTL_STORE)."),
) -> None:
    """Scan the repository and bring the search index up to date.

    One chunk per symbol (signature, doc comment, source) and per Markdown
    section; only chunks whose text changed are embedded again; deleted files
    leave the index; a new embedding model or new settings rebuild it. Vendored,
    generated, minified and lock files stay out (search.exclude).
    """
    from llmctl.core.extras import require
    from llmctl.core.project import open_project

    require("search", "index")
    project = open_project(None, store)
    report = _refresh(project, rebuild=rebuild, quiet=json_out)
    if json_out:
        print_json(report.to_dict())
        return
    _print_stats(report)


def _refresh(project, *, rebuild: bool = False, quiet: bool = False, scan_first: bool = True):
    from llmctl.core.search.index import refresh

    err = console(stderr=True)
    if quiet or not sys.stderr.isatty():
        return refresh(project, rebuild=rebuild, scan_first=scan_first)
    from llmctl.cli.output import progress_bar

    with progress_bar("embedding", "chunks") as bar:
        task = bar.add_task("embed", total=None)
        report = refresh(project, rebuild=rebuild, scan_first=scan_first,
                         on_total=lambda n: bar.update(task, total=n, refresh=True),
                         progress=lambda n: (bar.advance(task, n), bar.refresh()),
                         log=lambda m: err.print(m))
    return report


def _print_stats(report) -> None:
    from rich.table import Table

    out = console()
    table = Table(title="llmctl index", title_justify="left")
    for col in ("kind", "chunks"):
        table.add_column(col, justify="right" if col == "chunks" else "left")
    for kind, n in report.by_kind.items():
        table.add_row(kind, f"{n:,}")
    table.add_row("[bold]total[/]", f"[bold]{report.chunks:,}[/]")
    out.print(table)
    rate = f" ({report.embedded / report.embed_seconds:,.0f} chunks/s)" if report.embed_seconds > 0 else ""
    out.print(f"{report.files:,} files indexed, {report.changed_files:,} changed; {report.embedded:,} chunks embedded"
              f"{rate}, {report.reused:,} reused, {report.removed:,} removed; {report.excluded_files:,} files "
              f"excluded as noise; {report.seconds:.1f}s" + (f"; rebuilt: {report.rebuilt}" if report.rebuilt else ""))


def search_command(
    query: Optional[str] = typer.Argument(None, help="What to look for, in plain words. Omit it for an interactive prompt."),
    k: int = typer.Option(10, "-k", "--top", min=1, max=1000, help="How many results."),
    lang: Optional[list[str]] = typer.Option(None, "--lang", help="Only this language (repeatable): python, go, markdown, ..."),
    kind: Optional[list[str]] = typer.Option(None, "--kind", help="Only this kind (repeatable): function, method, class, file, block, doc, ..."),
    path: Optional[list[str]] = typer.Option(None, "--path", help="Only paths matching this gitignore-style glob (repeatable)."),
    docs_only: bool = typer.Option(False, "--docs-only", help="Only Markdown sections."),
    code_only: bool = typer.Option(False, "--code-only", help="Only code symbols."),
    json_out: bool = typer.Option(False, "--json", help='Print {"results": [{"path", "line", "end_line", "symbol", "kind", "score", "snippet"}]}.'),
    interactive: bool = typer.Option(False, "--interactive", "-i", help="Prompt for queries, keeping the model and index loaded."),
    queries: Optional[Path] = typer.Option(None, "--queries", help="Answer every line of FILE (one query per line) in one process; with --json, one JSON object per line."),
    no_refresh: bool = typer.Option(False, "--no-refresh", help="Query the index as it is, without checking it against the code."),
    mode: str = typer.Option("fused", "--mode", help="Ranking: fused (default), dense, or bm25 (for comparisons)."),
    store: Optional[str] = typer.Option(None, "--store", help="Store directory (default: <root>/.llmctl, or $LLMCTL_STORE)."),
) -> None:
    """Search code and docs: embeddings and BM25 over split identifiers, then ranking signals.

    The ranking puts the definition a query names and the files it is about
    first, code before Markdown (unless the query asks for docs), and tests,
    examples and legacy copies after the implementation (search.secondary).
    A stale index is refreshed first (a cheap check against the symbol store).
    Each result: rank, score, path:line, symbol id, kind and a highlighted
    snippet. Exit code 0 with results, 1 with none, 2 on a usage error.
    """
    from llmctl.core.extras import require
    from llmctl.core.project import open_project

    _check_args(query, queries, mode, lang, kind, docs_only, code_only)
    require("search", "search")
    project = open_project(None, store)
    if not no_refresh:
        _refresh_if_stale(project, json_out)
    from llmctl.core.search.rank import Filter, Searcher

    searcher = Searcher(project)
    filters = {"mode": mode, "where": Filter(lang=lang, kind=kind, path_glob=path, docs_only=docs_only,
                                             code_only=code_only)}
    try:
        if queries is not None:
            _answer_file(searcher, queries, k, filters, json_out)
            return
        if query is None or interactive:
            if query:
                _show(searcher, query, k, filters, json_out)
            _interactive(searcher, k, filters, json_out)
            return
        hits = _show(searcher, query, k, filters, json_out)
        if not hits:
            raise typer.Exit(1)
    finally:
        searcher.close()


def _check_args(query, queries, mode, lang, kind, docs_only, code_only) -> None:
    if docs_only and code_only:
        fail("--docs-only and --code-only exclude each other", "pick one")
    if mode not in ("fused", "dense", "bm25"):
        fail(f"--mode: unknown ranking {mode!r}", "use fused, dense or bm25")
    _check_filters(lang, kind)
    if query is not None and not query.strip() and queries is None:
        fail("the query is empty", "say what to look for: llmctl search \"parse an http header\"")
    if queries is not None and not queries.is_file():
        fail(f"--queries: {queries} is not a readable file", "give a text file with one query per line")


def _refresh_if_stale(project, json_out: bool) -> None:
    from llmctl.core.search.index import is_stale

    if is_stale(project):
        # Say so even when nobody watches a terminal: a rebuild can take a while.
        console(stderr=True).print("the search index is behind the code: refreshing it first "
                                   "(--no-refresh searches it as it is)", highlight=False)
        _refresh(project, quiet=json_out, scan_first=False)


def _check_filters(lang: Optional[list[str]], kind: Optional[list[str]]) -> None:
    """--lang and --kind take what the index holds; anything else would silently match nothing."""
    from llmctl.analyzers.languages import LANGUAGE_NAMES
    from llmctl.analyzers.symbols import CALLABLE_KINDS, TYPE_KINDS
    from llmctl.core.search.chunks import BLOCK_KIND, DOC_KIND, FILE_KIND

    langs = sorted(LANGUAGE_NAMES) + ["markdown"]
    kinds = sorted(CALLABLE_KINDS | TYPE_KINDS | {FILE_KIND, BLOCK_KIND, DOC_KIND})
    for value in lang or []:
        if value not in langs:
            fail(f"--lang {value!r} is not a language llmctl indexes", "use one of " + ", ".join(langs))
    for value in kind or []:
        if value not in kinds:
            fail(f"--kind {value!r} is not a kind of chunk", "use one of " + ", ".join(kinds))


def _show(searcher, query: str, k: int, filters: dict, json_out: bool, *, line_json: bool = False):
    hits = searcher.search(query, k, **filters)
    if line_json:
        sys.stdout.write(json.dumps({"query": query, "results": [h.to_dict() for h in hits]}) + "\n")
        sys.stdout.flush()
    elif json_out:
        print_json({"query": query, "results": [h.to_dict() for h in hits]})
    else:
        _print_hits(hits, searcher.project.root)
    return hits


def _answer_file(searcher, path: Path, k: int, filters: dict, json_out: bool) -> None:
    for line in path.read_text("utf-8", "replace").splitlines():
        q = line.strip()
        if q:
            if not json_out:
                console().print(f"[bold]» {q}[/]")
            _show(searcher, q, k, filters, json_out, line_json=json_out)


def _interactive(searcher, k: int, filters: dict, json_out: bool) -> None:
    searcher.embedder  # load now, not on the first query
    err = console(stderr=True)
    err.print("[dim]llmctl search — type a query, empty line or Ctrl-D to quit[/]")
    while True:
        try:
            q = input("search> ").strip()
        except (EOFError, KeyboardInterrupt):
            err.print()
            return
        if not q:
            return
        _show(searcher, q, k, filters, json_out, line_json=json_out)


def _print_hits(hits, root: Path) -> None:
    from rich.syntax import Syntax

    from llmctl.analyzers.languages import lexer_for

    out = console()
    if not hits:
        out.print("no results")
        return
    for rank, h in enumerate(hits, 1):
        out.print(f"[bold]{rank:>2}.[/] [cyan]{h.score:.3f}[/]  [bold]{h.path}:{h.line}[/]  {h.symbol}  [dim]{h.kind}[/]")
        snippet = "\n".join(h.snippet.splitlines()[:8])
        out.print(Syntax(snippet, lexer_for(h.language), line_numbers=True, start_line=h.line,
                         theme="ansi_dark", background_color="default", word_wrap=False))
