"""``llmctl docs sync``: the API reference in Markdown, facts from the code, prose from the model.

One page per module plus ``index.md`` under docs.out_dir, in five named steps:

1. :func:`plan_pages`: which symbols go on which page;
2. :func:`stale_sections`: which sections no longer match their markers (the
   rest are kept byte for byte, so unchanged code renders nothing);
3. ``gather_prose`` (generate.py): cached prose, then the model for what is missing;
4. :func:`render_pages`: each page's sections rendered and merged with the
   user's own text (markers.py);
5. :func:`write_pages`: only pages whose text changed, each atomically, and
   only after all prose is in hand (a failing model server stops the run with
   no page touched; the prose cache keeps what was already generated).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from llmctl.analyzers.base import module_id
from llmctl.analyzers.symbols import MODULE, Symbol
from llmctl.core.docs.generate import Prose, gather_prose
from llmctl.core.docs.markers import Page, merge, parse_page, wrap
from llmctl.core.docs.prose import needs
from llmctl.core.docs.render import render_symbol, source_link
from llmctl.core.docs.templates import Templates
from llmctl.core.fsutil import atomic_write
from llmctl.core.project import Project

INDEX_ID = "__index__"


@dataclass
class SyncResult:
    """What a sync did (the ``--json`` summary)."""

    pages_written: int = 0
    pages_unchanged: int = 0
    symbols: int = 0
    generated: int = 0
    cache_hits: int = 0
    model_calls: int = 0
    gaps: int = 0
    sections_kept: int = 0
    sections_rendered: int = 0
    changed: list[str] = field(default_factory=list)
    model: str = ""

    def to_json(self) -> dict:
        """The JSON summary other scripts read (names are an interface: add, don't rename)."""
        return {k: getattr(self, k) for k in (
            "pages_written", "symbols", "generated", "cache_hits", "model_calls", "pages_unchanged", "gaps",
            "sections_kept", "sections_rendered", "changed", "model")}


@dataclass
class PagePlan:
    """One page: its module symbol and the symbols documented on it, in source order."""

    name: str
    module: Symbol
    symbols: list[Symbol]


def page_name(mod: Symbol) -> str:
    """``inventory/stock.py`` -> ``inventory.stock.md`` (Go/Java: from the path, too)."""
    return module_id(mod.path, mod.language) + ".md"


def plan_pages(all_symbols: list[Symbol]) -> dict[str, PagePlan]:
    """Step 1: the public surface grouped by module file, in source order."""
    modules: dict[str, Symbol] = {}
    members: dict[str, list[Symbol]] = defaultdict(list)
    for s in all_symbols:
        if s.kind == MODULE:
            modules[s.path] = s
        elif s.is_public:
            members[s.path].append(s)
    pages: dict[str, PagePlan] = {}
    for path, mod in modules.items():
        if members.get(path):
            name = page_name(mod)
            if name in pages:
                name = name[:-3] + f"-{mod.language}.md"
            pages[name] = PagePlan(name, mod, members[path])
    return pages


def read_pages(out_dir: Path) -> dict[str, Page]:
    """The pages already in ``out_dir``, parsed into user text and marked sections."""
    existing: dict[str, Page] = {}
    if out_dir.is_dir():
        for f in sorted(out_dir.glob("*.md")):
            existing[f.name] = parse_page(f.read_text("utf-8"))
    return existing


def section_attrs(sym: Symbol, tpl_hash: str) -> dict[str, str]:
    """The marker attributes of a section: what it was made from."""
    return {"sig": sym.sig_hash, "doc": sym.doc_hash, "body": sym.body_hash, "tpl": tpl_hash}


def stale_sections(pages: dict[str, PagePlan], existing: dict[str, Page], tpl_hash: str,
                   refill_gaps: bool) -> tuple[dict[tuple[str, str], str], list[Symbol]]:
    """Step 2: sections kept as they are (by (page, id)), and the symbols whose sections need rendering.

    A section is kept when its marker hashes match the code, unless it holds
    gaps and the model may now fill them (``refill_gaps``).
    """
    kept: dict[tuple[str, str], str] = {}
    to_render: list[Symbol] = []
    for name, plan in pages.items():
        old_blocks = {b.id: b for b in existing[name].blocks} if name in existing else {}
        for sym in plan.symbols:
            b = old_blocks.get(sym.id)
            if b is not None and all(b.attrs.get(k) == v for k, v in section_attrs(sym, tpl_hash).items()) \
                    and not (b.attrs.get("gaps") and refill_gaps):
                kept[(name, sym.id)] = b.text
            else:
                to_render.append(sym)
    return kept, to_render


def render_pages(project: Project, pages: dict[str, PagePlan], existing: dict[str, Page],
                 kept: dict[tuple[str, str], str], prose: Prose, tpl: Templates,
                 result: SyncResult) -> dict[str, str | None]:
    """Step 4: the new text of every page (None: delete it), the index included."""
    out_dir = project.root / project.config.docs.out_dir
    tpl_hash = tpl.page_hash()
    texts: dict[str, str | None] = {}
    index_rows = []
    for name, plan in sorted(pages.items()):
        blocks = []
        depth: dict[str, int] = {}
        for sym in plan.symbols:
            depth[sym.id] = depth.get(sym.parent, -1) + 1 if sym.parent in depth else 0
            text = kept.get((name, sym.id))
            if text is None:
                text, gaps = render_symbol(sym, depth[sym.id], prose, tpl, project.root, out_dir,
                                           section_attrs(sym, tpl_hash), project.config.docs.generate)
                result.gaps += gaps
            blocks.append((sym.id, text))
        mod = plan.module
        header = tpl.render("page.md.j2", module=mod, source_link=source_link(out_dir, project.root, mod.path, 1))
        texts[name] = merge(existing.get(name), blocks, header + "\n")
        index_rows.append({"id": mod.id, "language": mod.language, "page": name, "summary": mod.doc.summary or ""})
    for name, page in existing.items():
        if name in pages or name == "index.md" or not page.blocks:
            continue
        # The module is gone: drop its sections, keep any text the user wrote there.
        leftover = "".join(p for p in page.parts if isinstance(p, str))
        texts[name] = leftover if leftover.strip() else None
    index_block = wrap(INDEX_ID, {"tpl": tpl_hash}, tpl.render("index.md.j2", modules=index_rows))
    texts["index.md"] = merge(existing.get("index.md"), [(INDEX_ID, index_block)], "# API reference\n")
    return texts


def write_pages(out_dir: Path, texts: dict[str, str | None], write: bool, result: SyncResult) -> None:
    """Step 5: write (or, with ``write=False``, only list) the pages whose text changed."""
    for name, text in texts.items():
        path = out_dir / name
        if text is None:
            result.changed.append(name)
            if write:
                path.unlink()
            continue
        try:
            old = path.read_text("utf-8")
        except OSError:
            old = None
        if old == text:
            result.pages_unchanged += 1
            continue
        result.changed.append(name)
        if write:
            atomic_write(path, text)
            result.pages_written += 1


def sync(project: Project, *, use_model: bool = True, write: bool = True, scan_first: bool = True,
         on_total: Callable[[int], None] | None = None, progress: Callable[[int], None] | None = None,
         log: Callable[[str], None] = lambda _m: None) -> SyncResult:
    """Bring docs.out_dir in step with the code. ``write=False`` is --dry-run/--check."""
    from llmctl.core.store.db import Store
    from llmctl.core.store.scan import scan

    cfg = project.config.docs
    if scan_first:
        scan(project)
    with Store(project.store_dir) as store:
        all_symbols = list(store.symbols())
    out_dir = project.root / cfg.out_dir
    tpl = Templates(project)
    result = SyncResult()
    pages = plan_pages(all_symbols)
    result.symbols = sum(len(p.symbols) for p in pages.values())
    existing = read_pages(out_dir)
    kept, to_render = stale_sections(pages, existing, tpl.page_hash(), refill_gaps=use_model and write)
    result.sections_kept, result.sections_rendered = len(kept), len(to_render)
    requests = [r for sym in to_render for r in needs(sym, cfg.generate)]
    with ExitStack() as stack:
        prose, stats = gather_prose(project, requests, all_symbols, tpl, stack, ask_model=use_model and write,
                                    on_total=on_total, progress=progress, log=log)
    result.model, result.cache_hits = stats.model, stats.cache_hits
    result.generated, result.model_calls = stats.generated, stats.model_calls
    texts = render_pages(project, pages, existing, kept, prose, tpl, result)
    write_pages(out_dir, texts, write, result)
    return result
