"""The derived half of the index: the FAISS vectors, rebuilt from SQLite.

``gen-<N>/`` holds the vectors, ``vectors.npy`` (a matrix for exact inner
product search) or, past ``search.hnsw_threshold`` chunks, ``vectors.faiss``
(FAISS HNSW), and ``rowids.npy`` (FAISS position -> chunk row) and
``manifest.json``, written last, with each file's size and CRC-32. (Keyword
search needs nothing here: its FTS5 index lives in the database and changes in
the same transaction as the chunks.) The folder
is built under a temp name and renamed; a reader verifies the manifest before
it trusts the files, so a damaged file is rebuilt from the database, which is
the source of truth, instead of failing the search.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zlib
from pathlib import Path

MANIFEST = "manifest.json"


def derived_dir(index_dir: Path, gen: int) -> Path:
    """The folder of generation ``gen``."""
    return index_dir / f"gen-{gen}"


def _generation(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
    return int(row[0]) if row else 0


def ensure_derived(index_dir: Path, conn: sqlite3.Connection, hnsw_threshold: int, *, force: bool = False) -> Path:
    """The FAISS + BM25 folder of the database's current generation, built when missing or damaged."""
    target = derived_dir(index_dir, _generation(conn))
    if not force and verify(target):
        return target
    from filelock import FileLock

    with FileLock(str(index_dir / "derived.lock"), timeout=600):
        gen = _generation(conn)  # another process may have moved on while we waited
        target = derived_dir(index_dir, gen)
        if force or not verify(target):
            build(index_dir, conn, gen, target, hnsw_threshold)
    return target


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc


def verify(folder: Path) -> bool:
    """True when the folder's manifest exists and every file has its recorded size and CRC-32."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        recorded = manifest["files"]
        for rel, (size, crc) in recorded.items():
            p = folder / rel
            if p.stat().st_size != size or _crc(p) != crc:
                return False
        return bool(recorded)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def build(index_dir: Path, conn: sqlite3.Connection, gen: int, target: Path, hnsw_threshold: int) -> None:
    """Write generation ``gen`` from the database: temp folder, manifest last, rename, drop older ones."""
    import numpy as np

    rows = conn.execute("SELECT c.id, v.vector FROM chunks c JOIN vectors v USING (ehash) ORDER BY c.id").fetchall()
    row = conn.execute("SELECT value FROM meta WHERE key='dim'").fetchone()
    dim = int(row[0]) if row and int(row[0]) else 384
    tmp = index_dir / f".gen-{gen}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim) if rows \
            else np.zeros((0, dim), dtype=np.float32)
        np.save(tmp / "rowids.npy", ids, allow_pickle=False)
        if len(mat) > hnsw_threshold:
            _write_faiss(tmp / "vectors.faiss", mat, dim)
        else:
            np.save(tmp / "vectors.npy", np.ascontiguousarray(mat), allow_pickle=False)
        files = {p.relative_to(tmp).as_posix(): [p.stat().st_size, _crc(p)] for p in _files(tmp)}
        (tmp / MANIFEST).write_text(json.dumps({"generation": gen, "files": files}))
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for old in index_dir.glob("gen-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)


def _write_faiss(path: Path, mat, dim: int) -> None:
    import faiss
    import numpy as np

    index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.add(np.ascontiguousarray(mat))
    faiss.write_index(index, str(path))
