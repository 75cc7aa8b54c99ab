"""The search index: which files it covers, and bringing it in step with the tree.

Layout under ``.llmctl/index/``: ``index.db`` (SQLite, the source of truth)
holds one row per chunk with its metadata, text and lexical tokens, which an
FTS5 table (``lexicon``, kept in step by triggers, in the same transactions)
indexes for BM25; one row
per distinct embedded text with its vector (float32 bytes), keyed by the
text's hash so an unchanged chunk is never embedded twice; per indexed file,
the content hash it was built from; and ``meta`` (model identity, settings, a
generation counter). ``gen-<N>/`` is derived from it (``derived.py``).

A refresh runs in three steps: **diff** (which files changed, their new
chunks), **embed** (vectors for texts not seen before, committed batch by
batch, so a killed run resumes where it stopped), **commit** (the chunks of
the changed files swapped in one transaction, the generation moved on). A
process killed at any point leaves the previous generation, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from llmctl.core.globs import match as glob_match
from llmctl.core.project import Project
from llmctl.core.search.chunks import Chunk, file_chunks

INDEX_VERSION = 4  # bump when chunk text, tokens or layout change: forces a rebuild
EMBED_BATCH = 256  # texts embedded, and committed, at a time
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, hash TEXT);
CREATE TABLE IF NOT EXISTS chunks(
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, line INTEGER, end_line INTEGER, symbol TEXT, name TEXT,
    kind TEXT, language TEXT, text TEXT, tokens TEXT, ehash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_path ON chunks(path);
CREATE TABLE IF NOT EXISTS vectors(ehash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS lexicon USING fts5(tokens, content='chunks', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS chunks_lexicon_add AFTER INSERT ON chunks BEGIN
    INSERT INTO lexicon(rowid, tokens) VALUES (new.id, new.tokens);
END;
CREATE TRIGGER IF NOT EXISTS chunks_lexicon_del AFTER DELETE ON chunks BEGIN
    INSERT INTO lexicon(lexicon, rowid, tokens) VALUES ('delete', old.id, old.tokens);
END;
"""


@dataclass
class IndexReport:
    """What one refresh did."""

    chunks: int = 0
    files: int = 0
    added: int = 0
    removed: int = 0
    embedded: int = 0
    reused: int = 0
    changed_files: int = 0
    rebuilt: str | None = None
    seconds: float = 0.0
    embed_seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    excluded_files: int = 0

    def to_dict(self) -> dict:
        """The ``llmctl index --json`` shape."""
        return {"chunks": self.chunks, "files": self.files, "added": self.added, "removed": self.removed,
                "embedded": self.embedded, "reused": self.reused, "changed_files": self.changed_files,
                "rebuilt": self.rebuilt, "seconds": round(self.seconds, 3),
                "embed_seconds": round(self.embed_seconds, 3), "by_kind": self.by_kind,
                "excluded_files": self.excluded_files}


def index_dir(project: Project) -> Path:
    """``<store>/index``."""
    return project.store_dir / "index"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def open_db(project: Project) -> sqlite3.Connection:
    """The index database, created when missing; a damaged one is moved aside and rebuilt."""
    d = index_dir(project)
    d.mkdir(parents=True, exist_ok=True)
    path = d / "index.db"
    try:
        conn = _connect(path)
        had_lexicon = conn.execute("SELECT 1 FROM sqlite_master WHERE name='lexicon'").fetchone()
        conn.executescript(_SCHEMA)
        if not had_lexicon:  # an index from before the lexicon: index the chunks it already has
            conn.execute("INSERT INTO lexicon(lexicon) VALUES ('rebuild')")
        conn.execute("SELECT count(*) FROM chunks").fetchone()
        return conn
    except sqlite3.DatabaseError:
        broken = path.with_name(f"index.db.broken-{int(time.time())}")
        os.replace(path, broken)
        for extra in ("-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
        conn = _connect(path)
        conn.executescript(_SCHEMA)
        return conn


def meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The ``meta`` table as a dict."""
    return dict(conn.execute("SELECT key, value FROM meta"))


def settings_key(project: Project, model_identity: str) -> str:
    """What, when changed, invalidates every chunk or vector: model, budgets, filters, version."""
    s = project.config.search
    return json.dumps({"v": INDEX_VERSION, "model": model_identity, "tokens": s.embed_tokens,
                       "lines": s.max_chunk_lines, "exclude": s.exclude, "md": s.markdown,
                       "out": project.config.docs.out_dir}, sort_keys=True)


def _settings_light(project: Project) -> str:
    """The settings key without the model fingerprint (no model files read: the cheap staleness check)."""
    return json.dumps([project.config.search.embed_model, project.config.search.model_dump()], sort_keys=True, default=str)


def _wanted_files(project: Project, store_files: dict) -> tuple[dict[str, str], int]:
    """Indexed files -> content-state key: parsed source (``store_files``, the store's rows) plus Markdown,
    minus noise patterns."""
    from llmctl.core.files import list_files

    s = project.config.search
    wanted: dict[str, str] = {}
    excluded = 0
    for path, row in store_files.items():
        if glob_match(path, s.exclude):
            excluded += 1
            continue
        wanted[path] = row.hash
    for path in list_files(project.root, project.use_git):
        if not path.endswith(".md") or not glob_match(path, s.markdown):
            continue
        if glob_match(path, s.exclude):
            excluded += 1
            continue
        try:
            st = os.stat(project.root / path)
        except OSError:
            continue
        wanted[path] = f"md:{st.st_size}:{st.st_mtime_ns}"
    return wanted, excluded


def _store_files(project: Project) -> dict:
    """The store's rows of the files it parsed, by path."""
    from llmctl.core.store.db import Store

    with Store(project.store_dir) as store:
        return {p: r for p, r in store.files().items() if r.status in ("ok", "partial")}


def refresh(project: Project, *, rebuild: bool = False, scan_first: bool = True,
            embedder=None, on_total: Callable[[int], None] | None = None,
            progress: Callable[[int], None] | None = None,
            log: Callable[[str], None] = lambda _m: None) -> IndexReport:
    """Bring the index in step with the tree: scan, re-chunk changed files, embed new texts only."""
    from filelock import FileLock

    t0 = time.perf_counter()
    report = IndexReport()
    if scan_first:
        from llmctl.core.store.scan import scan

        scan(project)
    d = index_dir(project)
    d.mkdir(parents=True, exist_ok=True)
    with FileLock(str(d / "index.lock"), timeout=600):
        conn = open_db(project)
        try:
            _refresh_locked(project, conn, report, rebuild, embedder, on_total, progress)
        finally:
            conn.close()
    report.seconds = time.perf_counter() - t0
    return report


@dataclass
class _Diff:
    """What the tree changed since the index was built."""

    key: str
    wanted: dict[str, str]
    changed: list[str]
    gone: list[str]
    chunks: list[Chunk]


def _refresh_locked(project: Project, conn: sqlite3.Connection, report: IndexReport, rebuild: bool,
                    embedder, on_total, progress) -> None:
    from llmctl.core.search.derived import ensure_derived
    from llmctl.core.search.embed import embedder_identity

    cfg = project.config.search
    identity = embedder.identity if embedder is not None else embedder_identity(cfg.embed_model)
    diff = _diff(project, conn, report, rebuild, identity)
    embedder = _embed(project, conn, diff.chunks, report, embedder, on_total, progress)
    _commit(project, conn, diff, report)
    ensure_derived(index_dir(project), conn, cfg.hnsw_threshold)
    report.files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
    report.chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    report.by_kind = dict(conn.execute("SELECT kind, count(*) FROM chunks GROUP BY kind ORDER BY 2 DESC"))


def _diff(project: Project, conn: sqlite3.Connection, report: IndexReport, rebuild: bool, identity: str) -> _Diff:
    """Step 1: reset what new settings invalidate, then find changed/gone files and chunk the changed ones."""
    from llmctl.core.store.db import Store

    cfg = project.config.search
    m = meta(conn)
    key = settings_key(project, identity)
    if rebuild or m.get("settings") != key:
        report.rebuilt = "requested" if rebuild else ("new index" if "settings" not in m else "settings or model changed")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM chunks")
        conn.execute("DELETE FROM files")
        # Vectors depend on the model and its token budget only: keep them through other resets
        # (and through a run killed before its first commit, which left no settings at all).
        if rebuild or m.get("vectors") != _vector_key(identity, cfg.embed_tokens):
            conn.execute("DELETE FROM vectors")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('vectors', ?)",
                         (_vector_key(identity, cfg.embed_tokens),))
        # Forget the old settings now: if this run is killed, the next one starts the reset again.
        conn.execute("DELETE FROM meta WHERE key IN ('settings', 'state')")
        conn.execute("COMMIT")
    parsed = _store_files(project)
    wanted, report.excluded_files = _wanted_files(project, parsed)
    indexed = dict(conn.execute("SELECT path, hash FROM files"))
    changed = [p for p, h in wanted.items() if indexed.get(p) != h]
    gone = [p for p in indexed if p not in wanted]
    report.changed_files = len(changed)
    chunks: list[Chunk] = []
    if changed:
        with Store(project.store_dir) as store:
            for path in changed:
                symbols = [] if path.endswith(".md") else list(store.symbols([path]))
                language = parsed[path].language if path in parsed else ""
                chunks.extend(file_chunks(project.root, path, symbols, cfg.max_chunk_lines, language))
    return _Diff(key, wanted, changed, gone, chunks)


def _vector_key(identity: str, tokens: int) -> str:
    return json.dumps({"model": identity, "tokens": tokens}, sort_keys=True)


def _embed(project: Project, conn: sqlite3.Connection, chunks: list[Chunk], report: IndexReport, embedder,
           on_total, progress):
    """Step 2: vectors for texts the index has not seen, committed a batch at a time."""
    import numpy as np

    cfg = project.config.search
    have = {h for (h,) in conn.execute("SELECT ehash FROM vectors")}
    todo: dict[str, str] = {}
    for c in chunks:
        if c.ehash not in have:
            todo.setdefault(c.ehash, c.embed_text)
    report.reused = sum(1 for c in chunks if c.ehash in have)
    if not todo:
        return embedder
    if embedder is None:
        from llmctl.core.search.embed import load_embedder

        embedder = load_embedder(cfg.embed_model)
    limit_tokens(embedder, cfg.embed_tokens)
    if on_total:
        on_total(len(todo))
    t0 = time.perf_counter()
    items = list(todo.items())
    # Test hook (tests/test_faults.py): commit this many texts, then wait to be killed.
    pause_after = int(os.environ.get("LLMCTL_TEST_PAUSE_AFTER_EMBEDDED", "0") or 0)
    batch = pause_after or EMBED_BATCH
    for start in range(0, len(items), batch):
        part = items[start:start + batch]
        vecs = embedder.encode([t for _, t in part])
        # Vectors are keyed by their text's hash, so committing them before the chunks
        # that use them is safe: a killed run leaves reusable vectors, not wrong ones.
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                         [(h, np.asarray(v, dtype=np.float32).tobytes()) for (h, _), v in zip(part, vecs)])
        conn.execute("COMMIT")
        if progress:
            progress(len(part))
        if pause_after:
            import sys

            sys.stderr.write(f"paused after {start + len(part)} embedded\n")
            sys.stderr.flush()
            time.sleep(3600)
    report.embed_seconds = time.perf_counter() - t0
    report.embedded = len(todo)
    return embedder


def _commit(project: Project, conn: sqlite3.Connection, diff: _Diff, report: IndexReport) -> None:
    """Step 3: swap in the changed files' chunks and move the generation on, in one transaction."""
    m = meta(conn)
    light = _settings_light(project)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if diff.changed or diff.gone or report.rebuilt or m.get("settings") != diff.key:
            for path in diff.changed + diff.gone:
                report.removed += conn.execute("DELETE FROM chunks WHERE path=?", (path,)).rowcount
                conn.execute("DELETE FROM files WHERE path=?", (path,))
            conn.executemany(
                "INSERT INTO chunks(path, line, end_line, symbol, name, kind, language, text, tokens, ehash) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(c.path, c.line, c.end_line, c.symbol, c.name, c.kind, c.language, c.text, c.lexical(), c.ehash)
                 for c in diff.chunks])
            conn.executemany("INSERT INTO files VALUES (?, ?)", [(p, diff.wanted[p]) for p in diff.changed])
            conn.execute("DELETE FROM vectors WHERE ehash NOT IN (SELECT ehash FROM chunks)")
            gen = int(m.get("generation", "0")) + 1
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                ("generation", str(gen)), ("settings", diff.key), ("dim", str(_dim(conn)))])
            report.added = len(diff.chunks)
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         [("light", light), ("state", _state_key(diff.wanted))])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _dim(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT length(vector) FROM vectors LIMIT 1").fetchone()
    return (row[0] // 4) if row else 0


def limit_tokens(embedder, tokens: int) -> None:
    """Make ``embedder`` read at most ``tokens`` tokens of each text."""
    tok = getattr(embedder, "tokenizer", None)
    if tok is not None and hasattr(tok, "enable_truncation"):
        tok.enable_truncation(min(tokens, getattr(embedder, "max_len", tokens)))
    elif hasattr(embedder, "model"):
        embedder.model.max_seq_length = tokens


def _state_key(wanted: dict[str, str]) -> str:
    h = hashlib.sha1()
    for p in sorted(wanted):
        h.update(f"{p}\0{wanted[p]}\n".encode())
    return h.hexdigest()


def is_stale(project: Project, *, scan_first: bool = True) -> bool:
    """Cheap check: does the index still describe the tree? (An incremental, stat-only scan first.)"""
    if scan_first:
        from llmctl.core.store.scan import scan

        scan(project)
    path = index_dir(project) / "index.db"
    if not path.exists():
        return True
    try:
        conn = _connect(path)
        try:
            m = meta(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True  # damaged: refresh moves it aside and rebuilds
    if m.get("light") != _settings_light(project) or "state" not in m:
        return True
    wanted, _ = _wanted_files(project, _store_files(project))
    return m["state"] != _state_key(wanted)
