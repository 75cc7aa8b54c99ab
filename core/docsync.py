"""``llmctl docs sync``: the API reference in Markdown, facts from the code, prose from the model.

One page per module plus ``index.md`` under docs.out_dir. Each symbol's
section is rendered from the symbol store through Jinja2 templates and wrapped
in provenance markers (core.markers). A section whose markers still match the
code is kept byte for byte, so a re-run on unchanged code renders nothing,
asks the model nothing and writes nothing. Pages are written only after all
prose is in hand, each atomically; a failing model server stops the run with
no page touched (the prose cache keeps what was already generated).
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from llmctl.analyzers.base import module_id
from llmctl.core.fsutil import atomic_write
from llmctl.core.markers import Page, parse_page, merge, wrap
from llmctl.core.project import Project
from llmctl.core.prose import (
    ProseCache, Request, api_params, build_examples, clean_answer, code_excerpt, nearest, needs, request_key,
    validate,
)
from llmctl.core.symbols import MODULE, Symbol

FENCE = {"python": "python", "javascript": "javascript", "typescript": "typescript", "go": "go", "rust": "rust",
         "java": "java"}
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


class Templates:
    """The Jinja2 environment: the user's docs.templates_dir first, then the bundled templates."""

    def __init__(self, project: Project):
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

        loaders = []
        if project.config.docs.templates_dir:
            loaders.append(FileSystemLoader(str(project.root / project.config.docs.templates_dir)))
        loaders.append(PackageLoader("llmctl.templates", ""))
        self.env = Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=False, autoescape=False)

    def render(self, name: str, **ctx) -> str:
        """Render a template by file name."""
        return self.env.get_template(name).render(**ctx)

    def source(self, name: str) -> str:
        """A template's text (for hashing into cache keys and markers)."""
        return self.env.loader.get_source(self.env, name)[0]


def page_name(mod: Symbol) -> str:
    """``inventory/stock.py`` -> ``inventory.stock.md`` (Go/Java: from the path, too)."""
    return module_id(mod.path, mod.language) + ".md"


@dataclass
class _Job:
    """All missing prose of one symbol: one prompt, extended line by line."""

    symbol: Symbol
    requests: list[Request]
    base: str = ""


class _Generator:
    """Writes a symbol's missing prose: each answer line validated, retried once, else a gap.

    The prompt grows by one line per answer ("Summary: …", then "Parameter `x`: …"),
    so each call only adds a few tokens to what the server already has in its KV cache.
    """

    def __init__(self, client, cache: ProseCache, identity: str, max_tokens: int):
        self.client, self.cache, self.identity, self.max_tokens = client, cache, identity, max_tokens

    def _line(self, prompt: str, sym: Symbol, kind: str) -> str | None:
        for temperature in (0.0, 0.7):
            raw = self.client.complete(prompt, max_tokens=self.max_tokens, stop=["\n"], temperature=temperature)
            text = clean_answer(raw, kind)
            if validate(text, sym, kind) is None:
                return text
        return None

    def run(self, job: _Job) -> dict[str, str | None]:
        """Answers by request field; each is cached as soon as it is known."""
        sym = job.symbol
        wanted = {r.field: r for r in job.requests}
        answers: dict[str, str | None] = {}
        prompt = job.base.rstrip("\n") + "\n"
        summary = sym.doc.summary or None
        if "summary" in wanted:
            summary = answers["summary"] = self._line(prompt + "Summary:", sym, "summary")
            self.cache.put(wanted["summary"].key, summary, self.identity)
        if summary:
            prompt += f"Summary: {summary}\n"
        described = {d.name: " ".join(d.description.split()) for d in sym.doc.params if d.description}
        for p in api_params(sym):
            field = f"param:{p.name}"
            if field in wanted:
                text = answers[field] = self._line(prompt + f"Parameter `{p.name}`:", sym, "param")
                self.cache.put(wanted[field].key, text, self.identity)
            else:
                text = described.get(p.name)
            if text:
                prompt += f"Parameter `{p.name}`: {text}\n"
        return answers


def model_identity_for(project: Project) -> str:
    """The cache identity of the configured model, without contacting any server.

    A loopback URL means the local GGUF (from model.path or the bundled default);
    a remote one is known by its URL unless model.name says more.
    """
    import urllib.parse

    from llmctl.core.model_client import is_loopback
    from llmctl.core.model_files import default_model_path, model_identity

    mc = project.config.model
    if mc.name:
        return mc.name
    if is_loopback(urllib.parse.urlsplit(mc.url).hostname or ""):
        path = Path(mc.path).expanduser() if mc.path else default_model_path()
        lora = Path(mc.lora).expanduser() if mc.lora else None
        try:
            return model_identity(path, lora)
        except OSError:
            return str(path)
    return mc.url


def connect(project: Project, stack: ExitStack, log: Callable[[str], None]):
    """A ModelClient for the configured URL; starts the embedded server when the URL is the default."""
    import urllib.parse

    from llmctl.core import server
    from llmctl.core.config import DEFAULT_URL
    from llmctl.core.model_client import ModelClient, ModelUnavailable

    mc = project.config.model
    key = os.environ.get(mc.api_key_env) or None
    client = ModelClient(mc.url, api_key=key, timeout=mc.timeout, retries=mc.retries, max_in_flight=mc.max_in_flight)
    if client.alive():
        return client
    if mc.url.rstrip("/") != DEFAULT_URL:
        raise ModelUnavailable(f"model server at {mc.url} is not answering",
                               "start it, fix model.url in config, or pass --no-model")
    # Nothing answers at the default URL: serve the configured GGUF there for this run.
    url = urllib.parse.urlsplit(DEFAULT_URL)
    spec = server.resolve_spec(mc.path or None, mc.lora or None, url.hostname, url.port, key, mc.context, mc.threads)
    log(f"starting the embedded model server ({spec.identity}) for this run")
    stack.enter_context(server.embedded_server(spec, project.store_dir / "serve-embedded.log"))
    return client


def sync(project: Project, *, use_model: bool = True, write: bool = True, scan_first: bool = True,
         on_total: Callable[[int], None] | None = None, progress: Callable[[int], None] | None = None,
         log: Callable[[str], None] = lambda _m: None) -> SyncResult:
    """Bring docs.out_dir in step with the code. ``write=False`` is --dry-run/--check."""
    from llmctl.core.scanner import scan
    from llmctl.core.store import Store

    cfg = project.config.docs
    if scan_first:
        scan(project)
    with Store(project.store_dir) as store:
        all_symbols = list(store.symbols())
    out_dir = project.root / cfg.out_dir
    tpl = Templates(project)
    tpl_hash = hashlib.sha256((tpl.source("symbol.md.j2") + "\0" + tpl.source("page.md.j2")).encode()).hexdigest()[:12]
    result = SyncResult()

    # Group the public surface by module file, in source order.
    modules: dict[str, Symbol] = {}
    members: dict[str, list[Symbol]] = defaultdict(list)
    for s in all_symbols:
        if s.kind == MODULE:
            modules[s.path] = s
        elif s.is_public:
            members[s.path].append(s)
    pages: dict[str, tuple[Symbol, list[Symbol]]] = {}
    for path, mod in modules.items():
        if members.get(path):
            name = page_name(mod)
            if name in pages:
                name = name[:-3] + f"-{mod.language}.md"
            pages[name] = (mod, members[path])
    result.symbols = sum(len(v) for _, v in pages.values())

    # Existing pages and their current sections.
    existing: dict[str, Page] = {}
    if out_dir.is_dir():
        for f in sorted(out_dir.glob("*.md")):
            existing[f.name] = parse_page(f.read_text("utf-8"))

    def attrs_for(sym: Symbol) -> dict[str, str]:
        return {"sig": sym.sig_hash, "doc": sym.doc_hash, "body": sym.body_hash, "tpl": tpl_hash}

    # Which sections need rendering: those whose markers no longer match (or hold gaps a model can fill).
    to_render: list[tuple[str, Symbol]] = []
    kept: dict[tuple[str, str], str] = {}
    for name, (mod, syms) in pages.items():
        old_blocks = {b.id: b for b in existing[name].blocks} if name in existing else {}
        for sym in syms:
            b = old_blocks.get(sym.id)
            if b is not None and all(b.attrs.get(k) == v for k, v in attrs_for(sym).items()) \
                    and not (b.attrs.get("gaps") and use_model and write):
                kept[(name, sym.id)] = b.text
            else:
                to_render.append((name, sym))
    result.sections_kept, result.sections_rendered = len(kept), len(to_render)

    # Prose: cache first, then the model for what is missing.
    prose: dict[tuple[str, str], str | None] = {}  # (symbol id, field) -> generated text, None = gap
    requests: list[Request] = [r for _, sym in to_render for r in needs(sym, cfg.generate)]
    generated_count = 0
    with ExitStack() as stack:
        if requests:
            identity = model_identity_for(project)
            result.model = identity
            cache = ProseCache(project.store_dir / "prose.db")
            stack.callback(cache.close)
            template_text = tpl.source("prompt_symbol.j2")
            missing: list[Request] = []
            for r in requests:
                r.key = request_key(identity, template_text, r)
                found, text = cache.get(r.key)
                if found:
                    result.cache_hits += 1
                    prose[(r.symbol.id, r.field)] = text
                else:
                    missing.append(r)
            if missing and use_model and write:
                jobs = _jobs(missing, all_symbols, project, tpl, cfg.examples)
                client = connect(project, stack, log)
                gen = _Generator(client, cache, identity, cfg.max_tokens)
                if on_total:
                    on_total(len(jobs))  # progress counts symbols, as users think of them
                with ThreadPoolExecutor(max_workers=project.config.model.max_in_flight) as pool:
                    for job, answers in zip(jobs, pool.map(gen.run, jobs)):
                        for field_name, text in answers.items():
                            prose[(job.symbol.id, field_name)] = text
                            generated_count += text is not None
                        if progress:
                            progress(1)
                result.model_calls = client.calls
            result.generated = generated_count

        # Render and merge every page; write the ones that changed.
        index_rows = []
        for name, (mod, syms) in sorted(pages.items()):
            blocks = []
            depth: dict[str, int] = {}
            for sym in syms:
                depth[sym.id] = depth.get(sym.parent, -1) + 1 if sym.parent in depth else 0
                text = kept.get((name, sym.id))
                if text is None:
                    text, gaps = _render_symbol(sym, depth[sym.id], prose, tpl, project, out_dir, attrs_for(sym))
                    result.gaps += gaps
                blocks.append((sym.id, text))
            header = tpl.render("page.md.j2", module=mod, source_link=_link(out_dir, project.root, mod.path, 1))
            new_text = merge(existing.get(name), blocks, header + "\n")
            index_rows.append({"id": mod.id, "language": mod.language, "page": name,
                               "summary": mod.doc.summary or ""})
            _emit(out_dir / name, new_text, write, result)
        for name, page in existing.items():
            if name in pages or name == "index.md" or not page.blocks:
                continue
            # The module is gone: drop its sections, keep any text the user wrote there.
            leftover = "".join(p for p in page.parts if isinstance(p, str))
            if leftover.strip():
                _emit(out_dir / name, leftover, write, result)
            else:
                result.changed.append(name)
                if write:
                    (out_dir / name).unlink()
        index_block = wrap(INDEX_ID, {"tpl": tpl_hash}, tpl.render("index.md.j2", modules=index_rows))
        index_text = merge(existing.get("index.md"), [(INDEX_ID, index_block)], "# API reference\n")
        _emit(out_dir / "index.md", index_text, write, result)
    return result


def _emit(path: Path, text: str, write: bool, result: SyncResult) -> None:
    try:
        old = path.read_text("utf-8")
    except OSError:
        old = None
    if old == text:
        result.pages_unchanged += 1
        return
    result.changed.append(path.name)
    if write:
        atomic_write(path, text)
        result.pages_written += 1


def _link(out_dir: Path, root: Path, path: str, line: int) -> str:
    return os.path.relpath(root / path, out_dir).replace(os.sep, "/") + f"#L{line}"


def _jobs(missing: list[Request], symbols: list[Symbol], project: Project, tpl: Templates, k: int) -> list[_Job]:
    """One job per symbol, in file order; one few-shot example set per module."""
    examples = build_examples(symbols)
    by_symbol: dict[str, _Job] = {}
    for r in missing:
        by_symbol.setdefault(r.symbol.id, _Job(r.symbol, [])).requests.append(r)
    jobs = sorted(by_symbol.values(), key=lambda j: (j.symbol.path, j.symbol.line))
    by_module: dict[str, list[_Job]] = defaultdict(list)
    for j in jobs:
        by_module[j.symbol.path].append(j)
    for group in by_module.values():
        shots = nearest(examples, [j.symbol for j in group], k)
        for j in group:
            j.base = tpl.render("prompt_symbol.j2", language=j.symbol.language.capitalize(), examples=shots,
                                code=code_excerpt(j.symbol, project.root))
    return jobs


def _render_symbol(sym: Symbol, depth: int, prose: dict, tpl: Templates, project: Project, out_dir: Path,
                   attrs: dict[str, str]) -> tuple[str, int]:
    gaps = 0
    if sym.doc.summary:
        summary = {"text": sym.doc.description or sym.doc.summary, "generated": False}
    else:
        summary = {"text": prose.get((sym.id, "summary")), "generated": True}
        gaps += summary["text"] is None
    described = {p.name: p.description for p in sym.doc.params if p.description}
    types = {p.name: p.type for p in sym.doc.params if p.type}
    params = []
    for p in api_params(sym):
        text = described.get(p.name) or prose.get((sym.id, f"param:{p.name}"))
        wanted = project.config.docs.generate == "all"
        gaps += text is None and wanted
        params.append({"name": p.name, "annotation": p.annotation or types.get(p.name), "default": p.default,
                       "text": text, "generated": p.name not in described and text is not None})
    ret_type = sym.returns or (sym.doc.returns.type if sym.doc.returns else None)
    ret_desc = sym.doc.returns.description if sym.doc.returns else None
    returns = None
    if (ret_type and ret_type not in ("None", "void", "()")) or ret_desc:
        returns = {"type": ret_type, "description": ret_desc}
    body = tpl.render(
        "symbol.md.j2", sym=sym, level=min(6, 2 + depth), fence=FENCE.get(sym.language, ""), summary=summary,
        params=params, returns=returns, raises=[{"type": r.type, "description": r.description} for r in sym.doc.raises],
        source_link=_link(out_dir, project.root, sym.path, sym.line),
    )
    if gaps:
        attrs = {**attrs, "gaps": str(gaps)}
    return wrap(sym.id, attrs, body), gaps
