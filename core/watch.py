"""``llmctl docs watch``: keep the store, the search index and generated pages fresh.

A watchdog observer collects changed paths; after a quiet spell (debounce) the
batch is applied in one go: an incremental scan of the whole tree (it stats
files, so editors' write-rename saves, deletes and branch switches that touch
thousands of files all look the same), the generated pages re-rendered
without the model (prose comes from the cache; what is missing stays a marked
gap until the next ``docs sync``), and the search index refreshed. Each step
commits atomically, so the store and the index are consistent whenever the
process is killed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from llmctl.core.errors import LlmctlError
from llmctl.core.project import Project


@dataclass
class Update:
    """What one debounced batch did."""

    events: int = 0
    paths: list[str] = field(default_factory=list)
    parsed: int = 0
    deleted: int = 0
    pages: list[str] = field(default_factory=list)
    embedded: int = 0
    removed_chunks: int = 0
    chunks: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        shown = ", ".join(self.paths[:3]) + (f" (+{len(self.paths) - 3} more)" if len(self.paths) > 3 else "")
        pages = ", ".join(self.pages[:3]) + ("…" if len(self.pages) > 3 else "") if self.pages else "none"
        return (f"{time.strftime('%H:%M:%S')} {shown or 'no source change'}: {self.parsed} parsed, {self.deleted} removed; "
                f"index {self.embedded} embedded, {self.removed_chunks} dropped ({self.chunks} chunks); "
                f"pages {pages}; {self.seconds:.2f}s")


class _Collector:
    """A watchdog handler that remembers which paths moved since the last batch."""

    def __init__(self, project: Project):
        root = project.root
        self.root = str(root)
        store = str(project.store_dir)
        self.ignored = (store, str(root / ".git"))
        self.lock = threading.Lock()
        self.paths: set[str] = set()
        self.events = 0
        self.last = 0.0
        self.wake = threading.Event()

    def _add(self, path: str | bytes | None) -> None:
        if not path:
            return
        path = path.decode() if isinstance(path, bytes) else path
        if path.startswith(self.ignored) or not path.startswith(self.root):
            return
        rel = path[len(self.root):].lstrip("/")
        with self.lock:
            self.paths.add(rel)
            self.events += 1
            self.last = time.monotonic()
        self.wake.set()

    def dispatch(self, event) -> None:  # watchdog's handler protocol
        if event.event_type in ("opened", "closed_no_write"):
            return
        self._add(event.src_path)
        self._add(getattr(event, "dest_path", None))

    def take(self) -> tuple[list[str], int]:
        with self.lock:
            paths, n = sorted(self.paths), self.events
            self.paths, self.events = set(), 0
            self.wake.clear()
        return paths, n


def apply_changes(project: Project, paths: list[str], events: int = 0, embedder=None) -> Update:
    """Bring store, generated pages and index in step with the tree (what one batch does)."""
    from llmctl.core.docs.sync import sync
    from llmctl.core.store.scan import scan
    from llmctl.core.search.index import refresh

    t0 = time.perf_counter()
    up = Update(events=events, paths=paths)
    # One parser process: the observer's threads are running, and forking a pool
    # while one of them holds a lock can hang a child.
    report = scan(project, jobs=1)
    up.parsed, up.deleted = report.parsed, report.deleted
    out_dir = project.root / project.config.docs.out_dir
    if (report.parsed or report.deleted) and out_dir.is_dir():
        result = sync(project, use_model=False, write=True, scan_first=False)
        up.pages = result.changed
    idx = refresh(project, scan_first=False, embedder=embedder)
    up.embedded, up.removed_chunks, up.chunks = idx.embedded, idx.removed, idx.chunks
    up.seconds = time.perf_counter() - t0
    return up


def watch(project: Project, on_update: Callable[[Update], None], *, debounce: float = 0.3,
          max_wait: float = 3.0, stop: threading.Event | None = None,
          on_ready: Callable[[], None] | None = None,
          on_error: Callable[[str], None] = lambda _m: None) -> None:
    """Watch ``project.root`` until ``stop`` is set (or KeyboardInterrupt), applying debounced batches."""
    from watchdog.observers import Observer

    from llmctl.core.search.embed import load_embedder
    from llmctl.core.search.index import limit_tokens

    stop = stop or threading.Event()
    embedder = load_embedder(project.config.search.embed_model)
    limit_tokens(embedder, project.config.search.embed_tokens)
    collector = _Collector(project)
    observer = Observer()
    observer.schedule(collector, str(project.root), recursive=True)
    observer.start()
    try:
        # Catch up with whatever changed while nobody watched.
        first_update = apply_changes(project, [], 0, embedder)
        if first_update.parsed or first_update.deleted or first_update.embedded or first_update.removed_chunks:
            first_update.paths = ["(changes made while not watching)"]
            on_update(first_update)
        if on_ready:
            on_ready()
        while not stop.is_set():
            if not collector.wake.wait(0.2):
                continue
            first = time.monotonic()
            # Debounce: wait for a quiet spell, but never longer than max_wait.
            while not stop.is_set():
                with collector.lock:
                    quiet = time.monotonic() - collector.last
                if quiet >= debounce or time.monotonic() - first >= max_wait:
                    break
                time.sleep(min(debounce - quiet, 0.05) if quiet < debounce else 0.01)
            paths, n = collector.take()
            paths = [p for p in paths if p and not (project.root / p).is_dir()]  # files (present or deleted)
            if paths:
                try:
                    on_update(apply_changes(project, paths, n, embedder))
                except (OSError, sqlite3.Error, LlmctlError) as err:
                    # A file vanished mid-scan, a lock timed out...: say so, keep watching;
                    # the next change (or `llmctl index`) catches up.
                    on_error(f"{time.strftime('%H:%M:%S')} update failed: {err}; will retry on the next change")
    finally:
        observer.stop()
        observer.join(timeout=5)
