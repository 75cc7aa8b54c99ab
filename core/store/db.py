"""The symbol store: SQLite under ``.llmctl/``, one row per file and per symbol.

Files are keyed by path with their content hash and stat signature, so a
re-scan reads only files whose size or mtime moved and re-parses only those
whose content hash changed. All writes of one scan happen in one transaction
(WAL mode): a reader, or a run that is killed, sees the old state or the new
one, never a mix. A file that is not our database (corrupt, foreign, or from
an incompatible version) is moved aside and rebuilt; a lock file serialises
writers across processes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from llmctl.analyzers import ANALYZER_VERSION
from llmctl.core.errors import LlmctlError
from llmctl.analyzers.symbols import Symbol

APPLICATION_ID = 0x4C4C4D43  # "LLMC"
SCHEMA_VERSION = 2
# What user_version holds: the table layout and the analyzers that filled them.
STORE_VERSION = SCHEMA_VERSION * 1000 + ANALYZER_VERSION
DB_NAME = "store.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files(
    path TEXT PRIMARY KEY, hash TEXT, size INTEGER, mtime_ns INTEGER, checked_ns INTEGER,
    language TEXT, status TEXT, encoding TEXT, parse_ms REAL
);
CREATE TABLE IF NOT EXISTS symbols(
    path TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, name TEXT, kind TEXT, language TEXT,
    public INTEGER, documented INTEGER, data TEXT NOT NULL, PRIMARY KEY(path, seq)
);
CREATE INDEX IF NOT EXISTS symbols_by_id ON symbols(id);
CREATE INDEX IF NOT EXISTS symbols_by_name ON symbols(name);
"""


@dataclass
class FileRow:
    """What the store remembers of one file."""

    path: str
    hash: str
    size: int
    mtime_ns: int
    checked_ns: int
    language: str
    status: str  # "ok", "partial" (syntax errors), or a skip reason ("binary", "encoding", "unreadable")
    encoding: str | None
    parse_ms: float


# (id, name, kind, language, public, documented, JSON of Symbol.to_dict())
SymbolRow = tuple[str, str, str, str, int, int, str]


def symbol_row(sym: Symbol) -> SymbolRow:
    """The store row of a symbol (built in scan workers, so the JSON work is parallel)."""
    return (sym.id, sym.name, sym.kind, sym.language, int(sym.is_public), int(sym.documented),
            json.dumps(sym.to_dict(), separators=(",", ":")))


class Store:
    """An open symbol store. Use as a context manager, or call :meth:`close`."""

    def __init__(self, directory: Path, *, readonly: bool = False):
        self.directory = directory
        self.path = directory / DB_NAME
        self.rebuilt_reason: str | None = None
        if not readonly:
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise LlmctlError(f"{directory}: cannot create the store directory: {err.strerror}",
                                  "set store_dir in config or pass --store to a writable place") from None
            _ensure_gitignore(directory)
        self.conn = self._open()

    # -- opening, validating, rebuilding -------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            conn = self._connect()
            problem = _check(conn)
        except sqlite3.OperationalError as err:
            environment = environment_error(err, self.path)
            if environment is not None:
                raise environment from None  # a healthy store we cannot write is not a corrupt one
            conn, problem = None, f"not an SQLite database ({err})"
        except sqlite3.DatabaseError as err:
            conn, problem = None, f"not an SQLite database ({err})"
        if problem is None:
            return conn
        if problem == _OUTDATED:
            # Written by another llmctl version: a cache, so start it again in place.
            conn.executescript("DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS symbols;")
            _init(conn)
            return conn
        if conn is not None:
            conn.close()
        self._move_aside(problem)
        conn = self._connect()
        _init(conn)
        return conn

    def rebuild(self, problem: str) -> None:
        """Move a damaged database aside and start an empty one (for corruption found while reading)."""
        self.conn.close()
        self._move_aside(problem)
        self.conn = self._open()

    def _move_aside(self, problem: str) -> None:
        self.rebuilt_reason = problem
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                p.replace(p.with_name(f"{p.name}.broken-{stamp}"))

    def close(self) -> None:
        """Close the database connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lock(self, timeout: float = 600) -> _Locked:
        """An inter-process lock for writers (a second scan waits for the first)."""
        lock = FileLock(str(self.directory / "store.lock"), timeout=timeout)
        return _Locked(lock, self.directory)

    # -- reading ---------------------------------------------------------------------

    def files(self) -> dict[str, FileRow]:
        """Every file row, by path."""
        rows = self.conn.execute(
            "SELECT path, hash, size, mtime_ns, checked_ns, language, status, encoding, parse_ms FROM files")
        return {r[0]: FileRow(*r) for r in rows}

    def symbols(self, paths: Iterable[str] | None = None) -> Iterator[Symbol]:
        """Symbols in file and source order, optionally only those of ``paths``."""
        if paths is None:
            rows = self.conn.execute("SELECT data FROM symbols ORDER BY path, seq")
            for (data,) in rows:
                yield Symbol.from_dict(json.loads(data))
            return
        for p in paths:
            for (data,) in self.conn.execute("SELECT data FROM symbols WHERE path=? ORDER BY seq", (p,)):
                yield Symbol.from_dict(json.loads(data))

    def symbol(self, symbol_id: str) -> Symbol | None:
        """The symbol with this qualified id (the first, if a name is defined twice)."""
        row = self.conn.execute("SELECT data FROM symbols WHERE id=? ORDER BY path, seq LIMIT 1", (symbol_id,)).fetchone()
        return Symbol.from_dict(json.loads(row[0])) if row else None

    def with_id(self, symbol_id: str) -> list[Symbol]:
        """Every symbol with this qualified id, in file and source order."""
        rows = self.conn.execute("SELECT data FROM symbols WHERE id=? ORDER BY path, seq", (symbol_id,))
        return [Symbol.from_dict(json.loads(d)) for (d,) in rows]

    def with_name(self, name: str) -> list[Symbol]:
        """Every symbol with this short name, in file and source order."""
        rows = self.conn.execute("SELECT data FROM symbols WHERE name=? ORDER BY path, seq", (name,))
        return [Symbol.from_dict(json.loads(d)) for (d,) in rows]

    def names(self, kinds: Iterable[str]) -> set[str]:
        """The distinct short names of symbols of these kinds."""
        kinds = list(kinds)
        marks = ",".join("?" * len(kinds))
        return {r[0] for r in self.conn.execute(f"SELECT DISTINCT name FROM symbols WHERE kind IN ({marks})", kinds)}

    def language_stats(self, paths: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """Per language: files, partial files, symbols, public, public documented, parse ms."""
        scope = None if paths is None else set(paths)
        stats: dict[str, dict[str, float]] = {}
        for path, lang, status, parse_ms in self.conn.execute("SELECT path, language, status, parse_ms FROM files"):
            if (scope is not None and path not in scope) or status not in ("ok", "partial"):
                continue
            s = stats.setdefault(lang, dict(files=0, partial=0, symbols=0, public=0, documented=0, parse_ms=0.0))
            s["files"] += 1
            s["partial"] += status == "partial"
            s["parse_ms"] += parse_ms or 0.0
        rows = self.conn.execute(
            "SELECT path, language, COUNT(*), SUM(public), SUM(public AND documented) FROM symbols "
            "WHERE kind != 'module' GROUP BY path, language")
        for path, lang, n, pub, doc in rows:
            if (scope is not None and path not in scope) or lang not in stats:
                continue
            s = stats[lang]
            s["symbols"] += n
            s["public"] += pub or 0
            s["documented"] += doc or 0
        return stats

    # -- writing ---------------------------------------------------------------------

    def apply(self, upserts: list[tuple[FileRow, list[SymbolRow] | None]], deletes: Iterable[str],
              touches: Iterable[tuple[str, int, int, int]] = ()) -> None:
        """Write one scan's results in a single transaction.

        ``upserts``: new file rows with their symbols (None keeps the stored
        symbols: only the stat signature changed). ``deletes``: paths gone from
        the tree. ``touches``: ``(path, size, mtime_ns, checked_ns)`` for files
        whose content was re-hashed and found unchanged.
        """
        cur = self.conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise environment_error(err, self.path) or err from None
        try:
            for path in deletes:
                cur.execute("DELETE FROM files WHERE path=?", (path,))
                cur.execute("DELETE FROM symbols WHERE path=?", (path,))
            for row, syms in upserts:
                cur.execute(
                    "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?)",
                    (row.path, row.hash, row.size, row.mtime_ns, row.checked_ns, row.language, row.status,
                     row.encoding, row.parse_ms))
                if syms is not None:
                    cur.execute("DELETE FROM symbols WHERE path=?", (row.path,))
                    cur.executemany("INSERT INTO symbols VALUES (?,?,?,?,?,?,?,?,?)",
                                    [(row.path, i, *r) for i, r in enumerate(syms)])
            cur.executemany("UPDATE files SET size=?, mtime_ns=?, checked_ns=? WHERE path=?",
                            [(size, mtime, checked, path) for path, size, mtime, checked in touches])
            cur.execute("COMMIT")
        except sqlite3.OperationalError as err:
            cur.execute("ROLLBACK")
            raise environment_error(err, self.path) or err from None
        except BaseException:
            cur.execute("ROLLBACK")
            raise


class _Locked:
    """Context manager around FileLock that turns a time-out into a clear error."""

    def __init__(self, lock: FileLock, directory: Path):
        self._lock, self._dir = lock, directory

    def __enter__(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise LlmctlError(f"{self._dir}: another llmctl process holds the store lock",
                              "wait for it to finish, or remove store.lock if no llmctl is running") from None

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


_OUTDATED = "written by another llmctl version"


def environment_error(err: sqlite3.OperationalError, path: Path) -> LlmctlError | None:
    """The one-line error for a database the machine will not let us use (full disk, read-only), else None."""
    text = str(err)
    if "full" in text:
        return LlmctlError(f"{path}: {text}", "free disk space, then run it again")
    if "readonly" in text or "unable to open" in text or "disk I/O" in text or "locked" in text:
        return LlmctlError(f"{path}: {text}", "make the store writable, or set store_dir / --store to a writable place")
    return None


def quarantine_damaged(store_dir: Path | None = None) -> list[Path]:
    """Move aside every database under the store that fails SQLite's own check; returns what was moved.

    Called after "database disk image is malformed" reached the user: the store and
    the index are caches of the files, so the next run rebuilds what was moved.
    """
    if store_dir is None:
        from llmctl.core.project import open_project

        try:
            store_dir = open_project(None).store_dir
        except LlmctlError:
            return []
    moved = []
    for db in (store_dir / DB_NAME, store_dir / "index" / "index.db", store_dir / "prose.db"):
        if not db.is_file():
            continue
        try:
            conn = sqlite3.connect(db)
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            conn.close()
        except sqlite3.DatabaseError:
            ok = False
        if not ok:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            for suffix in ("", "-wal", "-shm"):
                part = Path(str(db) + suffix)
                if part.exists():
                    part.replace(part.with_name(f"{part.name}.broken-{stamp}"))
            moved.append(db)
    return moved


def _check(conn: sqlite3.Connection) -> str | None:
    """None when ``conn`` is a usable llmctl store (or an empty new file), else why not."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if app_id == 0 and version == 0 and not tables:
        _init(conn)
        return None
    if app_id != APPLICATION_ID:
        return "not an llmctl store (foreign SQLite file)"
    if version != STORE_VERSION:
        return _OUTDATED
    if not {"files", "symbols"} <= tables:
        return "store tables missing"
    return None


def _init(conn: sqlite3.Connection) -> None:
    conn.executescript(_SCHEMA)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version={STORE_VERSION}")


def _ensure_gitignore(directory: Path) -> None:
    """Keep the store out of git without touching the user's own .gitignore."""
    marker = directory / ".gitignore"
    if not marker.exists():
        try:
            marker.write_text("# Created by llmctl: the store is a local cache.\n*\n", "utf-8")
        except OSError:
            pass
