"""``llmctl docs sync``: the API reference in Markdown, facts from the code, prose from the model.

One page per module plus ``index.md`` under docs.out_dir, in five named steps:

1. :func:`plan_pages`: the public API (core/api): which names go on which page;
2. :func:`stale_sections`: which sections no longer match their markers (the
   rest are kept byte for byte, so unchanged code renders nothing); a marker
   also records the callee descriptions its parameters take (forward.py) and
   the doc comment an undocumented override inherits (inherit.py);
3. ``gather_prose`` (generate.py): cached prose, then the model for what is missing;
4. :func:`render_pages`: each page's sections rendered and merged with the
   user's own text (markers.py);
5. :func:`write_pages`: only pages whose text changed, each atomically, and
   only after all prose is in hand (a failing model server stops the run with
   no page touched; the prose cache keeps what was already generated).
"""

from __future__ import annotations

import hashlib

import re
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from llmctl.analyzers.symbols import MODULE, VARIABLE, Symbol
from llmctl.core.api import ApiPage, Entry, PublicApi, for_project
from llmctl.core.docs.docmd import to_markdown
from llmctl.core.docs.forward import Forwarded, fingerprint, forwarded
from llmctl.core.docs.generate import Prose, gather_prose
from llmctl.core.docs.inherit import Bases, inherit, inherited_members
from llmctl.core.docs.markers import Page, merge, parse_page, section_hashes, wrap
from llmctl.core.docs.prose import SUMMARY, needs, protocol_method
from llmctl.core.docs.render import linker, render_entry, source_link
from llmctl.core.docs.templates import Templates
from llmctl.core.fsutil import atomic_write
from llmctl.core.project import Project

INDEX_ID = "__index__"
NAV_FILE = ".pages"  # the page order for MkDocs (awesome-pages plugin); plain MkDocs lists pages by itself


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
    gap_reasons: dict[str, int] = field(default_factory=dict)  # why the model's answers were refused
    forwarded: int = 0  # parameter descriptions taken from the callee they are passed to or the method they override
    inherited: int = 0  # undocumented overrides shown with the overridden method's doc comment (rendered sections)
    hand_written: list[str] = field(default_factory=list)  # pages already there without llmctl markers: left alone

    def to_json(self) -> dict:
        """The JSON summary other scripts read (names are an interface: add, don't rename)."""
        return {k: getattr(self, k) for k in (
            "pages_written", "symbols", "generated", "cache_hits", "model_calls", "pages_unchanged", "gaps",
            "sections_kept", "sections_rendered", "changed", "model", "gap_reasons", "forwarded", "inherited", "hand_written")}


def plan_pages(project: Project, all_symbols: list[Symbol]) -> PublicApi:
    """Step 1: the public API, one page per public module or package (core/api)."""
    return for_project(project, all_symbols)


def read_pages(out_dir: Path) -> dict[str, Page]:
    """The pages already in ``out_dir``, parsed into user text and marked sections."""
    existing: dict[str, Page] = {}
    if out_dir.is_dir():
        for f in sorted(out_dir.glob("*.md")):
            existing[f.name] = parse_page(f.read_text("utf-8"))
    return existing


Forwards = dict[str, dict[str, Forwarded]]  # symbol id -> parameter -> what its callee says of it


def section_attrs(entry: Entry, tpl_hash: str, fwd: Forwards) -> dict[str, str]:
    """The marker attributes of a section: what it was made from (callees' descriptions included)."""
    attrs = {**section_hashes(entry.symbols), "tpl": tpl_hash}
    if entry.symbol.kind == VARIABLE:  # a module value: not in the store (core/api/python.py), so GEN rules of a
        attrs["value"] = "1"           # change, which read the store, leave its section to the whole-tree check
    if entry.aliases:  # its other names are on the page: a section re-renders when they change
        attrs["aka"] = hashlib.sha256("\x1f".join(entry.aliases).encode()).hexdigest()[:12]
    if entry.inherited:  # and so are the methods it inherits
        listed = "\x1f".join(f"{b.id}:{','.join(m.name for m in ms)}" for b, ms in entry.inherited)
        attrs["inh"] = hashlib.sha256(listed.encode()).hexdigest()[:12]
    if entry.symbol.id in fwd:
        attrs["fwd"] = fingerprint(fwd[entry.symbol.id])
    return attrs


def stale_sections(api: PublicApi, existing: dict[str, Page], tpl_hash: str, fwd: Forwards,
                   refill_gaps: bool) -> tuple[dict[tuple[str, str], str], list[Symbol]]:
    """Step 2: sections kept as they are (by (page, id)), and the symbols whose sections need rendering.

    A section is kept when its marker hashes match the code, unless it holds
    gaps and the model may now fill them (``refill_gaps``).
    """
    kept: dict[tuple[str, str], str] = {}
    to_render: list[Symbol] = []
    for name, page in api.pages.items():
        old_blocks = {b.id: b for b in existing[name].blocks} if name in existing else {}
        for entry in page.entries:
            b = old_blocks.get(entry.id)
            if b is not None and all(b.attrs.get(k) == v for k, v in section_attrs(entry, tpl_hash, fwd).items()) \
                    and not (b.attrs.get("gaps") and refill_gaps):
                kept[(name, entry.id)] = b.text
            else:
                to_render.append(entry.symbol)
    return kept, to_render


def _page_text(project: Project, api: PublicApi, page: ApiPage, existing: dict[str, Page],
               kept: dict[tuple[str, str], str], prose: Prose, fwd: Forwards, tpl: Templates,
               result: SyncResult) -> str:
    docs = project.config.docs
    out_dir = project.root / docs.out_dir
    tpl_hash = tpl.page_hash()
    link = linker(api, page)
    blocks = []
    for entry in page.entries:
        text = kept.get((page.name, entry.id))
        if text is None:
            text, gaps = render_entry(entry, page, prose, fwd.get(entry.symbol.id, {}), tpl, project.root, out_dir,
                                      section_attrs(entry, tpl_hash, fwd), docs.generate, docs.source_url, link)
            result.gaps += gaps
            found = fwd.get(entry.symbol.id, {})
            result.forwarded += len(found) - (SUMMARY in found)
            result.inherited += SUMMARY in found
        blocks.append((entry.id, text))
    return merge(existing.get(page.name), blocks, _header(project, page, tpl, link) + "\n")


def _header(project: Project, page: ApiPage, tpl: Templates, link) -> str:
    """The top of a page as sync writes it when it creates the page (page.md.j2)."""
    docs, mod = project.config.docs, page.module
    description = to_markdown(mod.doc.description or mod.doc.summary, mod.language, mod.doc.style, link)
    return tpl.render("page.md.j2", module=mod, title=page.title, description=description,
                      source_link=source_link(project.root / docs.out_dir, project.root, mod.path, 1, docs.source_url))


_TITLE = re.compile(r"^# `([^`]*)`")
_SOURCE = re.compile(r"<sub>(\w+) · \[([^\]]+)\]\(")


def _leftover(project: Project, api: PublicApi, page: Page, modules: dict[str, Symbol], tpl: Templates) -> str:
    """What remains of a page whose module left the API: the user's text, less the top sync wrote for it
    when that top is still word for word what sync would write (gson's 34 ``internal`` pages kept only it).
    A deleted file's module is rebuilt from the top itself (title, language, path; no doc comment)."""
    parts = [p for p in page.parts if isinstance(p, str)]
    lead = page.parts[0] if page.parts and isinstance(page.parts[0], str) else ""
    title, source = _TITLE.search(lead), _SOURCE.search(lead)
    if title and source:
        language, path = source.groups()
        mod = modules.get(path) or Symbol(id=title.group(1), name=title.group(1), kind=MODULE, language=language,
                                          path=path, line=1, end_line=1)
        gone = ApiPage("", title.group(1), mod, [])
        if lead.strip() == _header(project, gone, tpl, linker(api, gone)).strip():
            parts = parts[1:]
    return "".join(parts)


def render_pages(project: Project, api: PublicApi, existing: dict[str, Page], kept: dict[tuple[str, str], str],
                 prose: Prose, fwd: Forwards, tpl: Templates, result: SyncResult, only: set[str] | None = None,
                 modules: dict[str, Symbol] | None = None) -> dict[str, str | None]:
    """Step 4: the new text of every page (None: delete it), the index and the nav file included.

    ``only``: render just these pages (``docs sync PATHS``); the index stays complete. ``modules``: the
    module symbols by path, to recognise the top sync wrote on a page whose module left the API.
    """
    modules = modules or {}
    texts: dict[str, str | None] = {}
    index_rows = []
    for name, page in sorted(api.pages.items()):
        if only is None or name in only:
            texts[name] = _page_text(project, api, page, existing, kept, prose, fwd, tpl, result)
        mod = page.module
        index_rows.append({"id": page.title, "title": page.title, "language": mod.language, "page": name,
                           "summary": mod.doc.summary or ""})
    for name, page in existing.items():
        if name in api.pages or name == "index.md" or not page.blocks or only is not None:
            continue
        # The module is gone: drop its sections, keep any text the user wrote there.
        leftover = _leftover(project, api, page, modules, tpl)
        texts[name] = leftover if leftover.strip() else None
    index_block = wrap(INDEX_ID, {"tpl": tpl.page_hash()}, tpl.render("index.md.j2", modules=index_rows))
    texts["index.md"] = merge(existing.get("index.md"), [(INDEX_ID, index_block)], "# API reference\n")
    texts[NAV_FILE] = "nav:\n  - index.md\n" + "".join(f"  - {r['title']}: {r['page']}\n" for r in index_rows)
    # A page that is there without a single llmctl marker was written by hand (koa keeps its own docs/api/
    # index.md): sync adds nothing to it unasked.
    for name in [n for n in texts if n in existing and not existing[n].blocks]:
        del texts[name]
        result.hand_written.append(name)
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


def _pages_under(api: PublicApi, root: Path, paths: list[str]) -> set[str]:
    """The pages with a section whose source lies under one of ``paths`` (``docs sync PATHS``)."""
    from llmctl.core.errors import LlmctlError

    rels = []
    for p in paths:
        full = Path(p).resolve()
        if not full.exists():
            raise LlmctlError(f"{p}: no such file or directory", "pass files or folders of this project")
        try:
            rels.append(full.relative_to(root.resolve()).as_posix())
        except ValueError:
            raise LlmctlError(f"{p}: outside the project at {root}", "pass files or folders of this project") from None

    def under(path: str) -> bool:
        return any(r in ("", ".") or path == r or path.startswith(r.rstrip("/") + "/") for r in rels)

    return {name for name, page in api.pages.items()
            if under(page.module.path) or any(under(s.path) for e in page.entries for s in e.symbols)}


def sync(project: Project, *, use_model: bool = True, write: bool = True, scan_first: bool = True,
         paths: list[str] | None = None, on_total: Callable[[int], None] | None = None,
         progress: Callable[[int], None] | None = None, log: Callable[[str], None] = lambda _m: None) -> SyncResult:
    """Bring docs.out_dir in step with the code. ``write=False`` is --dry-run/--check; ``paths`` limits the pages."""
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
    api = plan_pages(project, all_symbols)
    only = _pages_under(api, project.root, paths) if paths else None
    if only is not None:
        api_scope = PublicApi({n: p for n, p in api.pages.items() if n in only})
    else:
        api_scope = api
    result.symbols = api_scope.symbols
    existing = read_pages(out_dir)
    targets = [e.symbol for p in api_scope.pages.values() for e in p.entries]
    fwd = forwarded(targets, all_symbols, project.root)
    bases = Bases(all_symbols)  # one index of the types and their methods for both
    inherit(fwd, targets, all_symbols, bases)
    inherited = inherited_members(targets, all_symbols, bases)
    for p in api_scope.pages.values():
        for e in p.entries:
            e.inherited = inherited.get(e.symbol.id, [])
    kept, to_render = stale_sections(api_scope, existing, tpl.page_hash(), fwd, refill_gaps=use_model and write)
    result.sections_kept, result.sections_rendered = len(kept), len(to_render)
    requests = [r for sym in to_render for r in needs(sym, cfg.generate, set(fwd.get(sym.id, ())))]
    with ExitStack() as stack:
        prose, stats = gather_prose(project, requests, all_symbols, tpl, stack, ask_model=use_model and write,
                                    fwd=fwd, on_total=on_total, progress=progress, log=log)
    result.model, result.cache_hits = stats.model, stats.cache_hits
    result.generated, result.model_calls = stats.generated, stats.model_calls
    reasons = dict(stats.gap_reasons)
    unasked = sum(protocol_method(s) and not s.doc.summary and SUMMARY not in fwd.get(s.id, {}) for s in to_render)
    if unasked and cfg.generate != "none":
        reasons["a library's protocol method: not asked"] = unasked
    result.gap_reasons = dict(sorted(reasons.items(), key=lambda kv: -kv[1]))
    texts = render_pages(project, api, existing, kept, prose, fwd, tpl, result, only,
                         {s.path: s for s in all_symbols if s.kind == MODULE})
    write_pages(out_dir, texts, write, result)
    return result
