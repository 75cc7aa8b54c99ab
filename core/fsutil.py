"""Writing files so that a crash or a kill never leaves half of one."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from llmctl.core.errors import LlmctlError


def write_error(path: Path, err: OSError) -> LlmctlError:
    """The one-line error for a file llmctl could not write (disk full, read-only, no permission)."""
    fix = {errno.ENOSPC: "free disk space, then run it again", errno.EDQUOT: "free disk space, then run it again",
           errno.EROFS: "write somewhere writable", errno.EISDIR: "give a file name, not a folder"}.get(
        err.errno, "check the folder exists and is writable")
    return LlmctlError(f"{path}: cannot write ({err.strerror})", fix)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temp file beside ``path`` to write; renamed over ``path`` when the block succeeds, removed if not.

    Nothing half-written is ever left: a failed write (a full disk, say) removes the temp
    file and leaves ``path`` as it was; an OSError becomes a one-line LlmctlError.
    """
    if path.is_dir():
        raise LlmctlError(f"{path}: is a folder", "give a file name, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise write_error(path, err) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise write_error(path, err) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temp file beside ``path``, then rename it over ``path`` (keeping its mode)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, mode)
