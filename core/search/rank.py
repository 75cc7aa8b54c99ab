"""Querying the index: candidates from both halves, ranking signals, filters.

Candidates are the union of the top-``CANDIDATES`` chunks by cosine (FAISS)
and by BM25. Each ranking signal is a named pure function below, with the
reason it is there; :func:`fuse` combines them. Filters are a
:class:`Filter` applied as a mask before candidates are taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.core.globs import match as glob_match
from llmctl.core.project import Project
from llmctl.core.search.chunks import DOC_KIND
from llmctl.core.search.tokens import words

# Fusion weights: cosine + W_LEXICAL * lexical + W_NAME * name, over the union of both top-100 lists.
# Tuned with `python bench/search.py --tune` on libraries the report set does not use
# (tuning set: MRR@10 0.549 against 0.495 for plain RRF, 0.430 dense, 0.408 BM25).
# A file-name boost measured no gain there (best weight 0), so there is none.
W_DENSE = 1.0
W_LEXICAL = 0.35
W_NAME = 0.1
CANDIDATES = 100
MODES = ("fused", "dense", "bm25")


@dataclass
class Hit:
    """One search result."""

    path: str
    line: int
    end_line: int
    symbol: str
    kind: str
    language: str
    score: float
    snippet: str
    dense: float = 0.0
    lexical: float = 0.0

    def to_dict(self) -> dict:
        """One element of ``results`` in ``llmctl search --json`` (names are an interface)."""
        return {"path": self.path, "line": self.line, "end_line": self.end_line, "symbol": self.symbol,
                "kind": self.kind, "language": self.language, "score": round(self.score, 4),
                "snippet": self.snippet, "dense": round(self.dense, 4), "lexical": round(self.lexical, 4)}


@dataclass
class Filter:
    """Which chunks a query may return (``--lang``, ``--kind``, ``--path``, ``--docs-only``, ``--code-only``)."""

    lang: list[str] | None = None
    kind: list[str] | None = None
    path_glob: list[str] | None = None
    docs_only: bool = False
    code_only: bool = False

    @property
    def active(self) -> bool:
        """True when the filter excludes anything."""
        return bool(self.lang or self.kind or self.path_glob or self.docs_only or self.code_only)

    def admits(self, path: str, kind: str, language: str) -> bool:
        """True when a chunk with these fields passes."""
        if self.lang and language not in self.lang:
            return False
        if self.kind and kind not in self.kind:
            return False
        if self.path_glob and not glob_match(path, self.path_glob):
            return False
        if self.docs_only and kind != DOC_KIND or self.code_only and kind == DOC_KIND:
            return False
        return True


# -- signals ------------------------------------------------------------------------

def lexical_signal(bm25: float, best_bm25: float) -> float:
    """BM25 relative to the query's best match, in [0, 1].

    Why: raw BM25 grows with the query's length and rare words, so on its own
    scale it would swamp or vanish against a cosine; relative to the best hit
    it says "as good a keyword match as anything here".
    """
    return bm25 / best_bm25 if best_bm25 > 0 else 0.0


def name_signal(name_words: set[str], query_words: set[str]) -> float:
    """Share of the symbol name's words that the query contains, in [0, 1].

    Why: a query that spells out a name ("parse header" for ``parse_header``)
    is asking for that definition, more than for code that merely uses it.
    """
    return len(name_words & query_words) / len(name_words) if name_words and query_words else 0.0


def fuse(dense: float, lexical: float, name: float) -> float:
    """The fused score of one candidate from its signals."""
    return W_DENSE * dense + W_LEXICAL * lexical + W_NAME * name


def _top(scores, k: int, mask):
    import numpy as np

    s = scores if mask is None else np.where(mask, scores, -np.inf)
    k = min(k, len(s))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-s, k - 1)[:k]
    part = part[np.argsort(-s[part], kind="stable")]
    return part[np.isfinite(s[part])]


class Searcher:
    """A loaded index: open once, query many times (``--interactive`` and ``--queries``)."""

    def __init__(self, project: Project, embedder=None):
        import logging

        import numpy as np

        from llmctl.core.search.index import index_dir, meta, open_db

        logging.getLogger("bm25s").setLevel(logging.ERROR)
        self.project = project
        self.conn = open_db(project)
        if "generation" not in meta(self.conn):
            self.conn.close()
            raise LlmctlError(f"{index_dir(project)}: no search index yet", "run `llmctl index` first")
        self._open_derived(index_dir(project))
        self._embedder = embedder
        self._np = np
        self._meta_cache: dict[int, tuple] | None = None
        self._names: dict[int, set[str]] = {}

    def _open_derived(self, folder: Path) -> None:
        from llmctl.core.search.derived import ensure_derived

        threshold = self.project.config.search.hnsw_threshold
        for attempt in range(3):
            # A damaged file is rebuilt from the database; a writer replacing the
            # generation while we read it means: take the new one.
            derived = ensure_derived(folder, self.conn, threshold, force=attempt > 0)
            try:
                self._load(derived)
                return
            except (OSError, RuntimeError, ValueError, KeyError):
                if attempt == 2:
                    raise LlmctlError(f"{derived}: the search index cannot be loaded",
                                      "run `llmctl index --rebuild`") from None

    def _load(self, derived: Path) -> None:
        import bm25s
        import faiss
        import numpy as np

        rowids = np.load(derived / "rowids.npy", allow_pickle=False)
        index = faiss.read_index(str(derived / "vectors.faiss"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        bm25 = bm25s.BM25.load(str(derived / "bm25"), mmap=True, show_progress=False)
        if index.ntotal != len(rowids):
            raise ValueError("vector count and row ids disagree")
        self.rowids, self.faiss, self.bm25 = rowids, index, bm25
        self.exact = isinstance(index, faiss.IndexFlat)
        self.matrix = None
        if self.exact and len(rowids):
            self.matrix = faiss.rev_swig_ptr(index.get_xb(), len(rowids) * index.d).reshape(len(rowids), index.d)
        self.vocab = bm25.vocab_dict

    @property
    def embedder(self):
        """The query embedder, loaded on first use."""
        if self._embedder is None:
            from llmctl.core.search.embed import load_embedder
            from llmctl.core.search.index import limit_tokens

            self._embedder = load_embedder(self.project.config.search.embed_model)
            limit_tokens(self._embedder, self.project.config.search.embed_tokens)
        return self._embedder

    def close(self) -> None:
        """Close the database."""
        self.conn.close()

    def _all_meta(self) -> dict[int, tuple]:
        if self._meta_cache is None:
            self._meta_cache = {r[0]: r[1:] for r in self.conn.execute(
                "SELECT id, path, kind, language, name FROM chunks")}
        return self._meta_cache

    def _mask(self, where: Filter | None):
        if where is None or not where.active:
            return None
        meta = self._all_meta()
        mask = self._np.zeros(len(self.rowids), dtype=bool)
        for i, rid in enumerate(self.rowids):
            path, kind, language, _ = meta[int(rid)]
            mask[i] = where.admits(path, kind, language)
        return mask

    def search(self, query: str, k: int = 10, *, mode: str = "fused", where: Filter | None = None) -> list[Hit]:
        """Top ``k`` chunks for ``query``; ``mode`` is fused, dense or bm25 (the last two for benchmarks)."""
        np = self._np
        n = len(self.rowids)
        if n == 0 or not query.strip():
            return []
        mask = self._mask(where)
        qwords = words(query)
        lex = np.zeros(n, dtype=np.float32)
        known = [w for w in dict.fromkeys(qwords) if w in self.vocab]
        if known and mode != "dense":
            lex = np.asarray(self.bm25.get_scores(known), dtype=np.float32)
        if mode == "bm25":
            return self._hits(_masked(lex, mask), k, np.zeros(n, dtype=np.float32), lex)
        qv = self.embedder.encode([query])[0].astype(np.float32)
        dense = self._dense(qv, k, mask)
        if mode == "dense":
            return self._hits(_masked(dense, mask), k, dense, lex)
        cand = set(_top(dense, CANDIDATES, mask).tolist()) | set(_top(lex, CANDIDATES, mask).tolist())
        cand_idx = np.array(sorted(c for c in cand if lex[c] > 0 or dense[c] > -1.0), dtype=np.int64)
        if self.matrix is None and len(cand_idx):
            for i in cand_idx[dense[cand_idx] <= -1.0]:
                dense[i] = float(self.faiss.reconstruct(int(i)) @ qv)
        best = float(lex.max())
        scores = np.full(n, -np.inf, dtype=np.float32)
        qset = set(qwords)
        for i in cand_idx:
            name = name_signal(self._name_words(int(self.rowids[i])), qset)
            scores[i] = fuse(float(dense[i]), lexical_signal(float(lex[i]), best), name)
        return self._hits(scores, k, dense, lex)

    def _dense(self, qv, k: int, mask):
        np = self._np
        n = len(self.rowids)
        if self.matrix is not None:
            return self.matrix @ qv
        dense = np.full(n, -1.0, dtype=np.float32)
        kk = min(n, max(CANDIDATES, k) * (20 if mask is not None else 1))
        D, I = self.faiss.search(qv[None, :], kk)
        ok = I[0] >= 0
        dense[I[0][ok]] = D[0][ok]
        return dense

    def _name_words(self, rowid: int) -> set[str]:
        found = self._names.get(rowid)
        if found is None:
            name = self._all_meta()[rowid][3]
            found = self._names[rowid] = set(words(name or ""))
        return found

    def _hits(self, scores, k: int, dense, lex) -> list[Hit]:
        np = self._np
        order = [int(i) for i in _top(scores, k, None) if np.isfinite(scores[i])]
        hits = []
        for i in order:
            rid = int(self.rowids[i])
            row = self.conn.execute("SELECT path, line, end_line, symbol, kind, language, text FROM chunks WHERE id=?",
                                    (rid,)).fetchone()
            if row is None:
                continue
            path, line, end_line, symbol, kind, language, text = row
            snippet = "\n".join((text or "").splitlines()[:12])
            hits.append(Hit(path, line, end_line, symbol, kind, language, float(scores[i]), snippet,
                            float(dense[i]), float(lex[i])))
        return hits


def _masked(scores, mask):
    import numpy as np

    out = scores.copy()
    if mask is not None:
        out[~mask] = -np.inf
    return out
