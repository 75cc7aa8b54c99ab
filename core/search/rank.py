"""Querying the index: candidates from both halves, then the ranking signals, under a filter.

Candidates are the union of the top-``CANDIDATES`` chunks by cosine (the
vectors) and by BM25 (the database's FTS5 index). Each ranking signal is a
named pure function in :mod:`.signals`, with the reason it is there;
:meth:`Searcher._rank` computes them per candidate. Filters are a
:class:`Filter` applied as a mask before candidates are taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.core.globs import match as glob_match
from llmctl.core.project import Project
from llmctl.core.search.chunks import DOC_KIND
from llmctl.core.search import signals
from llmctl.core.search.signals import (
    asks_for_docs, definition_signal, dense_signal, diversify, file_aggregate, fuse, lexical_signal,
    path_signal, path_words, prefer_definitions, prose_signal, query_identifiers, secondary_signal,
)
from llmctl.core.search.tokens import words

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

        self.project = project
        self.conn = open_db(project)
        stored = meta(self.conn)
        if "generation" not in stored:
            self.conn.close()
            raise LlmctlError(f"{index_dir(project)}: no search index yet", "run `llmctl index` first")
        self._open_derived(index_dir(project))
        self._embedder = embedder
        self._np = np
        self._meta_cache: dict[int, tuple] | None = None
        self._secondary_cache: dict[str, list[str]] = {}
        self._path_cache: dict[str, set[str]] = {}
        self._secondary_paths: dict[tuple[str, str], float] = {}
        self._paths: set[str] | None = None
        self._count: int | None = None
        # An index built without a model ("none") has no meaning to compare: words and signals only.
        self.lexical_only = '"model": "none"' in stored.get("settings", "")

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
        import numpy as np

        rowids = np.load(derived / "rowids.npy", allow_pickle=False)
        self.faiss = None
        if (derived / "vectors.npy").exists():  # exact search: a matrix, no FAISS import (~0.15 s) at all
            self.matrix = np.load(derived / "vectors.npy", mmap_mode="r", allow_pickle=False)
            count = len(self.matrix)
        else:
            import faiss

            self.faiss = faiss.read_index(str(derived / "vectors.faiss"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
            self.matrix, count = None, self.faiss.ntotal
        if count != len(rowids):
            raise ValueError("vector count and row ids disagree")
        self.rowids = rowids

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
                "SELECT id, path, kind, language, name, symbol FROM chunks")}
        return self._meta_cache

    def _mask(self, where: Filter | None):
        if where is None or not where.active:
            return None
        meta = self._all_meta()
        mask = self._np.zeros(len(self.rowids), dtype=bool)
        for i, rid in enumerate(self.rowids):
            path, kind, language = meta[int(rid)][:3]
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
        lex = self._bm25(qwords) if mode != "dense" else np.zeros(n, dtype=np.float32)
        if mode == "bm25" or self.lexical_only:
            dense = np.zeros(n, dtype=np.float32)
            if mode == "bm25":
                return self._hits(_masked(lex, mask), k, dense, lex)
        else:
            qv = self.embedder.encode([query])[0].astype(np.float32)
            dense = self._dense(qv, k, mask)
            if mode == "dense":
                return self._hits(_masked(dense, mask), k, dense, lex)
        cand = set(_top(lex, CANDIDATES, mask).tolist())
        if not self.lexical_only:
            cand |= set(_top(dense, CANDIDATES, mask).tolist())
        cand_idx = np.array(sorted(c for c in cand if lex[c] > 0 or dense[c] > -1.0), dtype=np.int64)
        if not self.lexical_only and self.matrix is None and len(cand_idx):
            for i in cand_idx[dense[cand_idx] <= -1.0]:
                dense[i] = float(self.faiss.reconstruct(int(i)) @ qv)
        return self._hits_ranked(self._rank(query, set(qwords), cand_idx, dense, lex, where), k, dense, lex)

    def _rank(self, query: str, qset: set[str], cand_idx, dense, lex, where: Filter | None) -> list[tuple[float, int]]:
        """Every signal for every candidate, then file aggregation and diversity: (score, position) best first."""
        best_lex = float(lex[cand_idx].max()) if len(cand_idx) else 0.0
        best_dense = float(dense[cand_idx].max()) if len(cand_idx) else 0.0
        idents = query_identifiers(query)
        docs_wanted = asks_for_docs(qset) or bool(where and where.docs_only)
        meta = self._all_meta()
        scored: list[tuple[float, int, str, str]] = []
        for i in cand_idx:
            path, kind, language, name, symbol = meta[int(self.rowids[i])]
            scored.append((fuse(dense_signal(float(dense[i]), best_dense), lexical_signal(float(lex[i]), best_lex),
                                definition_signal(name, symbol, kind, idents), prose_signal(kind, docs_wanted),
                                self._secondary_of(path, language) if kind != DOC_KIND else 0.0,
                                path_signal(self._path_words(path), qset)),
                           int(i), path, kind))
        by_file: dict[str, list[tuple[float, int, str, str]]] = {}
        for row in sorted(scored, key=lambda t: -t[0]):
            by_file.setdefault(row[2], []).append(row)
        out: list[tuple[float, int, str]] = []
        for path, rows in by_file.items():
            bonus = signals.W_FILE * (file_aggregate([r[0] for r in rows]) - rows[0][0])
            out.extend((score + bonus, i, path) for score, i in prefer_definitions([(r[0], r[1], r[3]) for r in rows]))
        return diversify(out)

    def _path_words(self, path: str) -> set[str]:
        found = self._path_cache.get(path)
        if found is None:
            found = self._path_cache[path] = path_words(path)
        return found

    def _secondary_of(self, path: str, language: str) -> float:
        key = (path, language)
        found = self._secondary_paths.get(key)
        if found is None:
            found = self._secondary_paths[key] = secondary_signal(path, self._secondary(language)) or (
                -1.0 if self._stub_of_indexed(path) else 0.0)
        return found

    def _stub_of_indexed(self, path: str) -> bool:
        """A ``.pyi`` stub whose ``.py`` is indexed too: it repeats the module's names and types without the code
        or the docs. attrs has a stub beside each module, and its stubs were the top result for "How do I turn
        an attrs instance into a dict?" and three more of twelve questions (bench/search_repos.py)."""
        if not path.endswith(".pyi"):
            return False
        if self._paths is None:
            self._paths = {m[0] for m in self._all_meta().values()}
        return path[:-1] in self._paths

    def _secondary(self, language: str) -> list[str]:
        found = self._secondary_cache.get(language)
        if found is None:
            from llmctl.analyzers.languages import LANGUAGES

            lang = LANGUAGES.get(language)
            found = self._secondary_cache[language] = list(self.project.config.search.secondary) + list(
                lang.tests if lang else ())
        return found

    def _bm25(self, qwords: list[str]):
        """BM25 of every chunk for these words (0 where none occurs), from the database's FTS5 index.

        FTS5's own bm25() gives a word found in half the chunks or more an idf
        of ~0, which in a small repository (or for a file chunk and the
        function it repeats) drops every word; so each word is looked up on its
        own, its term-frequency part recovered from FTS5's score, and weighted
        with Lucene's idf, log(1 + (N - n + 0.5) / (n + 0.5)), which stays positive.
        """
        import math

        np = self._np
        lex = np.zeros(len(self.rowids), dtype=np.float32)
        total = self._chunk_count()
        for w in dict.fromkeys(qwords):
            rows = self.conn.execute("SELECT rowid, -bm25(lexicon) FROM lexicon WHERE lexicon MATCH ?",
                                     (f'"{w}"',)).fetchall()
            if not rows:
                continue
            n = len(rows)
            fts_idf = max(math.log((total - n + 0.5) / (n + 0.5)), 1e-6)
            idf = math.log(1 + (total - n + 0.5) / (n + 0.5))
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
            tf = np.fromiter((r[1] for r in rows), dtype=np.float64, count=n) / fts_idf
            pos = np.searchsorted(self.rowids, ids).clip(max=len(self.rowids) - 1)
            ok = self.rowids[pos] == ids  # rows the derived generation does not hold yet are skipped
            lex[pos[ok]] += (idf * tf[ok]).astype(np.float32)
        return lex

    def _chunk_count(self) -> int:
        if self._count is None:
            self._count = self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return self._count

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

    def _hits(self, scores, k: int, dense, lex) -> list[Hit]:
        np = self._np
        order = [(float(scores[i]), int(i)) for i in _top(scores, k, None) if np.isfinite(scores[i])]
        return self._hits_ranked(order, k, dense, lex)

    def _hits_ranked(self, order: list[tuple[float, int]], k: int, dense, lex) -> list[Hit]:
        hits = []
        for score, i in order[:k]:
            rid = int(self.rowids[i])
            row = self.conn.execute("SELECT path, line, end_line, symbol, kind, language, text FROM chunks WHERE id=?",
                                    (rid,)).fetchone()
            if row is None:
                continue
            path, line, end_line, symbol, kind, language, text = row
            snippet = "\n".join((text or "").splitlines()[:12])
            hits.append(Hit(path, line, end_line, symbol, kind, language, score, snippet,
                            float(dense[i]), float(lex[i])))
        return hits


def _masked(scores, mask):
    import numpy as np

    out = scores.copy()
    if mask is not None:
        out[~mask] = -np.inf
    return out
