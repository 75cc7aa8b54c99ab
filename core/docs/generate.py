"""Gathering the prose docs sync needs: from the cache first, then from the model.

One job per symbol: one few-shot prompt (one example set per module, so
every prompt of a module shares its head, which the server keeps in its KV
cache), extended one answer line at a time. Each answer is validated, retried
once at a higher temperature, and otherwise left as a marked gap; answers and
gaps are cached the moment they are known.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

from llmctl.analyzers.symbols import Symbol
from llmctl.core.docs.answers import clean_answer, refusal
from llmctl.core.docs.prose import (
    SUMMARY, ProseCache, Request, api_params, body_of, build_examples, code_excerpt, described_params, nearest,
    request_key,
)
from llmctl.core.docs import task
from llmctl.core.docs.templates import Templates
from llmctl.core.project import Project

# (symbol id, field) -> generated text; None marks a gap.
Prose = dict[tuple[str, str], "str | None"]


@dataclass
class ProseStats:
    """What gathering prose did (copied into the sync's result)."""

    model: str = ""
    cache_hits: int = 0
    generated: int = 0
    model_calls: int = 0
    gap_reasons: dict[str, int] = field(default_factory=dict)  # why answers were refused, counted

    def refused(self, reason: str) -> None:
        """Count one refused answer (the generator's threads call it under its lock)."""
        self.gap_reasons[reason] = self.gap_reasons.get(reason, 0) + 1


@dataclass
class _Job:
    """All missing prose of one symbol: one prompt, extended line by line."""

    symbol: Symbol
    requests: list[Request]
    base: str = ""
    known: dict[str, str] = field(default_factory=dict)  # parameters described without the model (forward.py)
    summary: str | None = None  # its summary from the cache or inherited, when only parameters are asked


class _Generator:
    """Writes a symbol's missing prose: each answer line validated, retried once, else a gap.

    The prompt grows by one line per answer ("Summary: …", then "Parameter `x`: …"),
    so each call only adds a few tokens to what the server already has in its KV cache.
    """

    def __init__(self, client, cache: ProseCache, identity: str, max_tokens: int, floor: float | None = None,
                 stats: ProseStats | None = None):
        self.client, self.cache, self.identity, self.max_tokens = client, cache, identity, max_tokens
        self.floor, self.stats, self._lock = floor, stats or ProseStats(), threading.Lock()

    def _refused(self, reason: str) -> None:
        with self._lock:
            self.stats.refused(reason)

    def _line(self, prompt: str, sym: Symbol, kind: str, lead: str = "") -> tuple[str | None, float | None]:
        """A valid answer and the model's confidence in it, or (None, None).

        ``lead``: words the answer starts with, sent as the start of the line (prose.lead_for).
        """
        for temperature in (0.0, 0.7):
            raw, confidence = self.client.complete_scored(prompt + (f" {lead}" if lead else ""),
                                                          max_tokens=self.max_tokens, stop=["\n"],
                                                          temperature=temperature)
            text = clean_answer(f"{lead}{raw}" if lead else raw, kind)
            reason = refusal(text, sym, kind, prompt)
            if reason is None:
                return text, confidence
            if gated(kind, confidence, self.floor):
                break  # unsure and invalid: a sample at a higher temperature is less sure still
        self._refused(reason.split(" `")[0])  # "names `x`, which …" counted as one reason
        return None, None

    def _ask(self, prompt: str, sym: Symbol, kind: str, key: str, lead: str = "") -> str | None:
        """One answer line, cached with its confidence; None (a gap) when invalid or a summary below the floor."""
        text, confidence = self._line(prompt, sym, kind, lead)
        self.cache.put(key, text, self.identity, confidence)
        if text is not None and gated(kind, confidence, self.floor):
            self._refused("below docs.min_confidence")
            return None
        return text

    def run(self, job: _Job) -> dict[str, str | None]:
        """Answers by request field; each is cached as soon as it is known."""
        sym = job.symbol
        wanted = {r.field: r for r in job.requests}
        answers: dict[str, str | None] = {}
        prompt = job.base  # ends with a newline (task.prompt)
        summary = sym.doc.summary or job.summary
        if "summary" in wanted:
            summary = answers["summary"] = self._ask(prompt + "Summary:", sym, "summary", wanted["summary"].key)
        if summary:
            prompt += f"Summary: {summary}\n"
        described = {**described_params(sym), **job.known}
        for p in api_params(sym):
            field = f"param:{p.name}"
            if field in wanted:
                text = answers[field] = self._ask(prompt + f"Parameter `{p.name}`:", sym, "param", wanted[field].key,
                                                  wanted[field].lead)
            else:
                text = described.get(p.name)
            if text:
                prompt += f"Parameter `{p.name}`: {text}\n"
        return answers


def gated(kind: str, confidence: float | None, floor: float | None) -> bool:
    """True when an answer of this kind ("summary", or a parameter field) is kept off the page for its confidence.

    Only summaries are gated: the confidence did not separate right parameter
    descriptions from wrong ones (bench/docgen.py --params). No floor, or no
    score from the server: nothing is gated.
    """
    return kind == "summary" and floor is not None and confidence is not None and confidence < floor


def _jobs(missing: list[Request], symbols: list[Symbol], project: Project, tpl: Templates, k: int,
          fwd: dict[str, dict]) -> list[_Job]:
    """One job per symbol, in file order; one few-shot example set per module."""
    from llmctl.core.docs.context import Context

    examples = build_examples(symbols)
    context, lines_of = Context(symbols), {}
    by_symbol: dict[str, _Job] = {}
    for r in missing:
        found = fwd.get(r.symbol.id, {})
        known = {name: f.text for name, f in found.items() if name != SUMMARY}
        inherited = found.get(SUMMARY)
        summary = (inherited.callee.doc.summary if inherited.callee else inherited.text) if inherited else None
        by_symbol.setdefault(r.symbol.id, _Job(r.symbol, [], known=known, summary=summary)).requests.append(r)
    jobs = sorted(by_symbol.values(), key=lambda j: (j.symbol.path, j.symbol.line))
    by_module: dict[str, list[_Job]] = defaultdict(list)
    for j in jobs:
        by_module[j.symbol.path].append(j)
    for group in by_module.values():
        shots = nearest(examples, [j.symbol for j in group], k)
        for j in group:
            lines = context.lines(j.symbol, body_of(j.symbol, project.root, lines_of))
            j.base = task.prompt(j.symbol.language, code_excerpt(j.symbol, project.root, lines_of), shots, tpl, lines)
    return jobs


def shots_for(project: Project) -> int:
    """``docs.examples``, with "auto" resolved: 0 over a LoRA adapter (trained zero-shot), else 3.

    Measured on bench/docgen.py (100 hidden docstrings of 5 libraries): the bundled
    adapter scored 0.513 zero-shot and 0.462 with 3 examples; the plain base 0.444 with 3.
    """
    from llmctl.core.model.connect import serves_adapter

    k = project.config.docs.examples
    return k if k != "auto" else (0 if serves_adapter(project) else 3)


def gather_prose(project: Project, requests: list[Request], symbols: list[Symbol], tpl: Templates,
                 stack: ExitStack, *, ask_model: bool, fwd: dict[str, dict] | None = None,
                 on_total: Callable[[int], None] | None = None, progress: Callable[[int], None] | None = None,
                 log: Callable[[str], None] = lambda _m: None) -> tuple[Prose, ProseStats]:
    """Prose for ``requests``: cached answers, then (``ask_model``) the model for the rest.

    ``fwd``: by symbol id, the parameters described from a callee (``forward.forwarded``), which
    the model does not write; later answer lines of the symbol's prompt follow them.
    """
    from llmctl.core.model.connect import connect, model_identity_for

    prose: Prose = {}
    stats = ProseStats()
    if not requests:
        return prose, stats
    identity = stats.model = model_identity_for(project)
    cache = ProseCache(project.store_dir / "prose.db")
    stack.callback(cache.close)
    template_text = tpl.source(task.TEMPLATE)
    floor = project.config.docs.confidence_floor
    missing: list[Request] = []
    for r in requests:
        r.key = request_key(identity, template_text, r)
        found, text, confidence = cache.get(r.key)
        if found:
            stats.cache_hits += 1
            hidden = text is not None and gated(r.field, confidence, floor)
            prose[(r.symbol.id, r.field)] = None if hidden else text
            if hidden:
                stats.refused("below docs.min_confidence")
        else:
            missing.append(r)
    if not (missing and ask_model):
        return prose, stats
    cfg = project.config.docs
    jobs = _jobs(missing, symbols, project, tpl, shots_for(project), fwd or {})
    for j in jobs:  # a summary written on an earlier run heads the parameter lines, as on the first run
        j.summary = prose.get((j.symbol.id, "summary")) or j.summary
    client = connect(project, stack, log)
    gen = _Generator(client, cache, identity, cfg.max_tokens, floor, stats)
    if on_total:
        on_total(len(jobs))  # progress counts symbols, as users think of them
    with ThreadPoolExecutor(max_workers=project.config.model.max_in_flight) as pool:
        for job, answers in zip(jobs, pool.map(gen.run, jobs)):
            for field_name, text in answers.items():
                prose[(job.symbol.id, field_name)] = text
                stats.generated += text is not None
            if progress:
                progress(1)
    stats.model_calls = client.calls
    return prose, stats
