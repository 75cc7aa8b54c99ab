"""``llmctl train data``: training data from repositories and text files.

Two datasets come out of one pass:

- ``pretrain``: text records (a source file, a Markdown file, or a line of a
  given text/JSONL file) for language-model pretraining;
- ``sft``: instruction pairs, code -> its doc comment (the house style), from
  documented public callables and types in the symbol store; the code is the
  symbol's source with the doc comment taken out.

Cleaning drops empty/short, generated, minified and licence-only items, then
exact duplicates (normalised text) and near-duplicates (MinHash LSH from
datasketch). Items are split train/validation/test 8:1:1 by a stable hash of
their near-duplicate *cluster*, so near-duplicates never straddle splits.
Everything is written to a temp folder and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from llmctl.core.errors import LlmctlError

SPLITS = ("train", "validation", "test")
_LICENCE = re.compile(r"(licen[cs]e|copyright|warranty|permission is hereby granted|all rights reserved)", re.I)
_TOKEN = re.compile(r"\w+")


@dataclass
class DataRules:
    """Cleaning rules (``[train.data]`` in a run config, or flags)."""

    min_chars: int = 40
    max_chars: int = 200_000
    min_doc_words: int = 4
    near_dup_threshold: float = 0.85
    num_perm: int = 64
    shingle: int = 5


@dataclass
class DataStats:
    """Kept and dropped counts per dataset and reason."""

    kept: Counter = field(default_factory=Counter)  # (dataset, split) -> n
    dropped: Counter = field(default_factory=Counter)  # (dataset, reason) -> n

    def to_dict(self) -> dict:
        return {"kept": {f"{d}/{s}": n for (d, s), n in sorted(self.kept.items())},
                "dropped": {f"{d}/{r}": n for (d, r), n in sorted(self.dropped.items())}}


def _drop_reason(text: str, rules: DataRules) -> str | None:
    from llmctl.core.search.chunks import is_noise_text

    stripped = text.strip()
    if not stripped:
        return "empty"
    if len(stripped) < rules.min_chars:
        return "short"
    if len(stripped) > rules.max_chars:
        return "long"
    if is_noise_text(text):
        return "generated_or_minified"
    words = _TOKEN.findall(stripped)
    lic = len(_LICENCE.findall(stripped))
    code_lines = [ln for ln in stripped.splitlines() if ln.strip() and not ln.strip().startswith(("#", "//", "*", "/*"))]
    if lic and (not code_lines or len(words) < 400 and lic >= 2 and len(code_lines) <= 2):
        return "licence_only"
    return None


def _normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def _shingles(text: str, k: int) -> set[bytes]:
    toks = _TOKEN.findall(text.lower())
    if len(toks) <= k:
        return {" ".join(toks).encode()}
    return {" ".join(toks[i:i + k]).encode() for i in range(len(toks) - k + 1)}


def _split_of(key: str) -> str:
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 10
    return "train" if h < 8 else ("validation" if h == 8 else "test")


def dedup_and_split(items: list[dict], text_of, dataset: str, rules: DataRules, stats: DataStats) -> dict[str, list[dict]]:
    """Exact dedup, MinHash-LSH near-dup removal, and a cluster-stable 8:1:1 split."""
    from datasketch import MinHash, MinHashLSH

    seen: set[str] = set()
    unique: list[dict] = []
    for it in items:
        h = hashlib.sha1(_normalise(text_of(it)).encode()).hexdigest()
        if h in seen:
            stats.dropped[(dataset, "exact_duplicate")] += 1
            continue
        seen.add(h)
        unique.append(it)
    lsh = MinHashLSH(threshold=rules.near_dup_threshold, num_perm=rules.num_perm)
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for i, it in enumerate(unique):
        m = MinHash(num_perm=rules.num_perm, seed=1)
        m.update_batch(list(_shingles(text_of(it), rules.shingle)))
        near = lsh.query(m)
        if near:
            # A near-duplicate of an item already kept: drop it. Its cluster is the kept
            # item's, so the split it would have had is irrelevant; nothing straddles.
            stats.dropped[(dataset, "near_duplicate")] += 1
            continue
        key = f"{dataset}:{i}"
        lsh.insert(key, m)
        split = _split_of(hashlib.sha1(_normalise(text_of(it)).encode()).hexdigest())
        out[split].append(it)
        stats.kept[(dataset, split)] += 1
    return out


def collect(project, extra_files: list[Path], rules: DataRules, stats: DataStats) -> tuple[list[dict], list[dict]]:
    """Pretraining records and instruction pairs from the project's store and ``extra_files``."""
    from llmctl.core.docs.context import Context
    from llmctl.core.files import list_files
    from llmctl.core.store.scan import decode_source, scan
    from llmctl.core.search.chunks import strip_doc
    from llmctl.core.store.db import Store
    from llmctl.analyzers.symbols import CALLABLE_KINDS, TYPE_KINDS

    scan(project)
    pre: list[dict] = []
    pairs: list[dict] = []
    with Store(project.store_dir) as store:
        files = {p: r for p, r in store.files().items() if r.status in ("ok", "partial")}
        context = Context(list(store.symbols()))
        for path, row in sorted(files.items()):
            try:
                raw = (project.root / path).read_bytes()
            except OSError:
                continue
            decoded = decode_source(raw, row.language)
            text = decoded[0].decode("utf-8", "replace") if decoded else raw.decode("utf-8", "replace")
            reason = _drop_reason(text, rules)
            if reason:
                stats.dropped[("pretrain", reason)] += 1
                continue
            pre.append({"text": text, "source": path, "language": row.language})
            lines = text.splitlines()
            for sym in store.symbols([path]):
                if sym.kind not in CALLABLE_KINDS | TYPE_KINDS or not sym.is_public:
                    continue
                doc = (sym.doc_raw or "").strip()
                if len(doc.split()) < rules.min_doc_words:
                    stats.dropped[("sft", "undocumented" if not doc else "short_doc")] += 1
                    continue
                code = strip_doc("\n".join(lines[sym.line - 1:sym.end_line]), doc)
                if len(code.strip()) < rules.min_chars // 2:
                    stats.dropped[("sft", "short")] += 1
                    continue
                pairs.append({"prompt": code, "completion": doc, "symbol": sym.id, "source": path,
                              "language": sym.language, "context": context.lines(sym, code), **task_fields(sym, doc)})
    for md in list_files(project.root, project.use_git):
        if md.endswith(".md"):
            text = (project.root / md).read_text("utf-8", "replace")
            reason = _drop_reason(text, rules)
            if reason:
                stats.dropped[("pretrain", reason)] += 1
            else:
                pre.append({"text": text, "source": md, "language": "markdown"})
    for f in extra_files:
        pre.extend(_read_extra(f, rules, stats))
    return pre, pairs


def _read_extra(path: Path, rules: DataRules, stats: DataStats) -> list[dict]:
    if not path.is_file():
        raise LlmctlError(f"--text: {path} is not a readable file", "give a .txt or .jsonl file")
    out = []
    if path.suffix == ".jsonl":
        for n, line in enumerate(path.read_text("utf-8", "replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                raise LlmctlError(f"{path}:{n}: not valid JSON", "one JSON object with a \"text\" field per line") from None
            text = rec.get("text") if isinstance(rec, dict) else None
            if not isinstance(text, str):
                raise LlmctlError(f"{path}:{n}: no \"text\" string field", "one JSON object with a \"text\" field per line")
            reason = _drop_reason(text, rules)
            if reason:
                stats.dropped[("pretrain", reason)] += 1
            else:
                out.append({"text": text, "source": f"{path.name}:{n}", "language": "text"})
    else:
        text = path.read_text("utf-8", "replace")
        reason = _drop_reason(text, rules)
        if reason:
            stats.dropped[("pretrain", reason)] += 1
        else:
            out.append({"text": text, "source": path.name, "language": "text"})
    return out


def task_fields(sym, doc: str) -> dict:
    """What the doc-writing task (core/docs/task.py) answers for this symbol: its summary and described parameters."""
    from llmctl.core.docs.prose import api_params, described_params
    from llmctl.core.docs.task import doc_summary

    described = described_params(sym)
    summary = " ".join(sym.doc.summary.split()) if sym.doc.summary else doc_summary(doc)
    return {"summary": summary, "params": [[p.name, described[p.name]] for p in api_params(sym) if p.name in described]}


def build(projects: list, extra_files: list[Path], out_dir: Path, rules: DataRules | None = None) -> DataStats:
    """Write ``out_dir/{pretrain,sft}/{train,validation,test}.jsonl`` and ``stats.json``, atomically."""
    rules = rules or DataRules()
    stats = DataStats()
    pre: list[dict] = []
    pairs: list[dict] = []
    for i, project in enumerate(projects):
        p, q = collect(project, extra_files if i == 0 else [], rules, stats)
        pre.extend(p)
        pairs.extend(q)
    if not projects:
        for f in extra_files:
            pre.extend(_read_extra(f, rules, stats))
    datasets = {"pretrain": dedup_and_split(pre, lambda r: r["text"], "pretrain", rules, stats),
                "sft": dedup_and_split(pairs, lambda r: r["prompt"] + "\n" + r["completion"], "sft", rules, stats)}
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, splits in datasets.items():
            (tmp / name).mkdir()
            for split, rows in splits.items():
                with open(tmp / name / f"{split}.jsonl", "w", encoding="utf-8") as fh:
                    for r in rows:
                        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        (tmp / "stats.json").write_text(json.dumps(stats.to_dict(), indent=2) + "\n")
        if (out_dir / "history").is_dir():  # `train data --history` output is another command's: keep it
            shutil.copytree(out_dir / "history", tmp / "history")
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return stats
