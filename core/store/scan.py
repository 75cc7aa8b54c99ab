"""``llmctl scan``: bring the symbol store in step with the files on disk.

1. List the files (core.files). 2. Compare each one's stat signature with the
store; unchanged files cost one ``stat``. 3. Read, hash and, when the content
hash differs, parse the rest, in a process pool across the cores. 4. Write
everything in one transaction. Bad files never stop a scan: they are skipped
and counted by reason, and files with syntax errors keep what tree-sitter
recovered and count as ``partial``.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from llmctl.analyzers import analyze
from llmctl.core.files import in_scope, list_source_files, scope_prefix
from llmctl.core.project import Project
from llmctl.core.store.db import FileRow, Store, SymbolRow, symbol_row

# A stat signature is trusted only once the file is older than this at the
# time it was checked: an edit in the same mtime tick as a scan is re-read.
RACY_NS = 2_000_000_000
PARSE_SKIPS = ("binary", "encoding", "unreadable")


@dataclass
class ScanReport:
    """What one scan did and found."""

    root: Path
    files: int = 0
    parsed: int = 0
    unchanged: int = 0
    rehashed: int = 0
    partial: int = 0
    deleted: int = 0
    skipped: Counter = field(default_factory=Counter)
    languages: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0
    bytes_read: int = 0
    paths: list[str] = field(default_factory=list)
    store_rebuilt: str | None = None


@dataclass
class _Job:
    path: str
    abs_path: str
    language: str
    known_hash: str | None


@dataclass
class _Result:
    path: str
    language: str
    hash: str = ""
    size: int = 0
    mtime_ns: int = 0
    status: str = "ok"
    encoding: str | None = None
    parse_ms: float = 0.0
    symbols: list[SymbolRow] | None = None
    unchanged: bool = False
    gone: bool = False
    nbytes: int = 0


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


def decode_source(raw: bytes, language: str) -> tuple[bytes, str] | None:
    """Source as UTF-8 bytes plus the encoding it was read in; None when undecodable.

    UTF-8 first (with or without BOM), then a UTF-16 BOM, then the encoding a
    Python file declares (PEP 263), then charset-normalizer's best guess.
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    try:
        raw.decode("utf-8")
        return raw, "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append("utf-16")
    if language == "python":
        head = b"\n".join(raw.splitlines()[:2])
        m = _CODING.search(head)
        if m:
            candidates.append(m.group(1).decode("ascii", "replace"))
    for enc in candidates:
        try:
            return raw.decode(enc).encode("utf-8"), enc
        except (UnicodeDecodeError, LookupError):
            continue
    if b"\0" in raw[:8192]:
        return None
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 file

    best = from_bytes(raw).best()
    if best is None or best.encoding is None:
        return None
    try:
        return raw.decode(best.encoding).encode("utf-8"), best.encoding
    except (UnicodeDecodeError, LookupError):
        return None


def is_binary(raw: bytes) -> bool:
    """A NUL byte in the first 8 KiB, and no UTF-16 BOM: binary."""
    return b"\0" in raw[:8192] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _process(job: _Job) -> _Result:
    res = _Result(path=job.path, language=job.language)
    try:
        st = os.stat(job.abs_path)
        with open(job.abs_path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        res.gone = True
        return res
    except (IsADirectoryError, NotADirectoryError):
        res.gone = True  # a symlink to a directory, listed by git: not a source file
        return res
    except OSError:
        res.status = "unreadable"
        return res
    res.size, res.mtime_ns, res.nbytes = st.st_size, st.st_mtime_ns, len(raw)
    res.hash = hashlib.blake2b(raw, digest_size=16).hexdigest()
    if res.hash == job.known_hash:
        res.unchanged = True
        return res
    if is_binary(raw):
        res.status = "binary"
        return res
    decoded = decode_source(raw, job.language)
    if decoded is None:
        res.status = "encoding"
        return res
    src, res.encoding = decoded
    t0 = time.perf_counter()
    try:
        found = analyze(src, job.path, job.language)
    except RecursionError:
        res.status = "unreadable"  # pathologically deep nesting
        return res
    res.parse_ms = (time.perf_counter() - t0) * 1000
    # Serialise here, in the worker: the parent only writes rows.
    res.symbols = [symbol_row(s) for s in found.symbols]
    res.status = "partial" if found.has_errors else "ok"
    return res


def _process_many(jobs: list[_Job]) -> list[_Result]:
    return [_process(j) for j in jobs]


def _run_jobs(jobs: list[_Job], workers: int, progress: Callable[[int], None] | None) -> list[_Result]:
    if workers <= 1 or len(jobs) < 32:
        out = []
        for j in jobs:
            out.append(_process(j))
            if progress:
                progress(1)
        return out
    # Interleave so each worker gets a mix of big and small files; chunks keep IPC cheap.
    size = max(8, min(64, len(jobs) // (workers * 8) or 8))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    ctx = get_context("fork") if "fork" in get_all_start_methods() else None
    out: list[_Result] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(_process_many, c) for c in chunks]
        for fut in as_completed(futures):
            part = fut.result()
            out.extend(part)
            if progress:
                progress(len(part))
    return out


def scan(project: Project, scope: Path | None = None, *, jobs: int | None = None,
         on_total: Callable[[int], None] | None = None, progress: Callable[[int], None] | None = None) -> ScanReport:
    """Scan ``project`` (or just ``scope`` inside it) into its store and report."""
    t0 = time.perf_counter()
    cfg = project.config
    report = ScanReport(root=project.root)
    listed = list_source_files(project.root, set(cfg.languages), cfg.include, cfg.exclude, scope, project.use_git)
    store = Store(project.store_dir)
    try:
        with store.lock():
            try:
                _scan_into(store, project, listed, scope, jobs, on_total, progress, report)
            except sqlite3.DatabaseError as err:
                # Corruption found while reading: rebuild from scratch, once.
                store.rebuild(f"damaged store ({err})")
                report = ScanReport(root=project.root)
                _scan_into(store, project, listed, scope, jobs, on_total, progress, report)
        report.store_rebuilt = store.rebuilt_reason
        report.languages = store.language_stats(report.paths)
    finally:
        store.close()
    report.seconds = time.perf_counter() - t0
    return report


def _plan(project: Project, known: dict[str, FileRow], listed: list[tuple[str, str]], scope: Path | None,
          report: ScanReport) -> tuple[list[_Job], list[str], set[str]]:
    """Stat every listed file: (files to read, paths to delete, paths present). Unchanged files cost one stat."""
    root = str(project.root)
    todo: list[_Job] = []
    deletes: list[str] = []
    present: set[str] = set()
    for rel, lang in listed:
        abs_path = os.path.join(root, rel)
        try:
            st = os.stat(abs_path)
        except OSError:
            if os.path.islink(abs_path):
                report.skipped["unreadable"] += 1  # a dangling symlink
            continue  # else: deleted since it was listed
        if not os.path.isfile(abs_path):
            continue
        present.add(rel)
        if st.st_size > project.config.max_file_bytes:
            report.skipped["oversize"] += 1
            if rel in known:
                deletes.append(rel)
            continue
        row = known.get(rel)
        if (row is not None and row.size == st.st_size and row.mtime_ns == st.st_mtime_ns
                and row.checked_ns - row.mtime_ns > RACY_NS and row.language == lang):
            _count_known(row, report)
            continue
        todo.append(_Job(rel, abs_path, lang, row.hash if row is not None and row.language == lang else None))
    prefix = scope_prefix(project.root, scope)
    deletes += [rel for rel in known if rel not in present and in_scope(rel, prefix)]
    return todo, deletes, present


def _scan_into(store: Store, project: Project, listed: list[tuple[str, str]], scope: Path | None,
               jobs: int | None, on_total: Callable[[int], None] | None,
               progress: Callable[[int], None] | None, report: ScanReport) -> None:
    known = store.files()
    now = time.time_ns()
    todo, deletes, present = _plan(project, known, listed, scope, report)
    report.deleted = sum(1 for d in deletes if d not in present)
    if on_total:
        on_total(len(todo))
    results = _run_jobs(todo, jobs or project.config.jobs or os.cpu_count() or 1, progress)
    upserts: list[tuple[FileRow, list[SymbolRow] | None]] = []
    touches: list[tuple[str, int, int, int]] = []
    for r in results:
        report.bytes_read += r.nbytes
        if r.gone:
            present.discard(r.path)
            if r.path in known:
                deletes.append(r.path)
            continue
        if r.unchanged:
            report.rehashed += 1
            touches.append((r.path, r.size, r.mtime_ns, now))
            _count_known(known[r.path], report)
            continue
        row = FileRow(r.path, r.hash, r.size, r.mtime_ns, now, r.language, r.status, r.encoding, r.parse_ms)
        upserts.append((row, r.symbols if r.symbols is not None else []))
        if r.status in PARSE_SKIPS:
            report.skipped[r.status] += 1
        else:
            report.parsed += 1
            report.partial += r.status == "partial"
    store.apply(upserts, deletes, touches)
    gone = set(deletes)
    status = {p: row.status for p, row in known.items()}
    status.update((row.path, row.status) for row, _ in upserts)
    report.paths = sorted(p for p in present if p not in gone)
    report.files = sum(1 for p in report.paths if status.get(p) in ("ok", "partial"))


def _count_known(row: FileRow, report: ScanReport) -> None:
    report.unchanged += 1
    if row.status in PARSE_SKIPS:
        report.skipped[row.status] += 1
    elif row.status == "partial":
        report.partial += 1

