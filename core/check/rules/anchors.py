"""ANC rules: Markdown links anchored to code, and the lock file that confirms them.

A link ``[text](path/to/file.py#Symbol.name)`` is checked like a generated
section, against the hashes recorded in the committed lock file
(``check.lock_file``, default ``llmctl.lock``) when a human last confirmed the
text around it (``llmctl docs check --accept``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from llmctl.analyzers.symbols import MODULE, Symbol
from llmctl.core.check.rules import Finding, rule
from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write

ANC001 = rule("ANC001", "error", "anchored link to a symbol that does not exist",
              "A link `[text](path/to/file#Symbol.name)` points at a file or symbol that is gone.",
              "update the link")
ANC002 = rule("ANC002", "warning", "anchored link to code that changed since it was confirmed",
              "The linked symbol's signature or body changed since a human last confirmed the text around the "
              "link (recorded in llmctl.lock).",
              "re-read it, then `llmctl docs check --accept`")
ANC003 = rule("ANC003", "info", "anchored link not yet confirmed",
              "The link has no entry in llmctl.lock yet, so later changes to its symbol cannot be detected.",
              "review, then `llmctl docs check --accept`")

# The symbols of one repository file (the staged version where a change is checked).
SymbolsIn = Callable[[str], list[Symbol]]


def anchor_target(md_path: str, written: str) -> str:
    """The repository path a link in ``md_path`` points at (``/x`` is relative to the root)."""
    if written.startswith("/"):
        return written.lstrip("/")
    return os.path.normpath(os.path.join(os.path.dirname(md_path), written)).replace(os.sep, "/")


def lock_key(md_path: str, target: str, symbol: str) -> str:
    """How the lock file names one anchored link."""
    return f"{md_path}#{target}#{symbol}"


def anchor_symbol(target: str, name: str, symbols_in: SymbolsIn) -> Symbol | None:
    """The symbol a link names in its target file (by full id or trailing dotted name)."""
    for s in symbols_in(target):
        if s.kind != MODULE and (s.id == name or s.id.endswith("." + name)):
            return s
    return None


def check_anchors(anchors, md_path: str, lock: dict, symbols_in: SymbolsIn,
                  file_exists: Callable[[str], bool]) -> list[Finding]:
    """ANC001-003 for the anchored links of one Markdown file."""
    out = []
    for a in anchors:
        target = anchor_target(md_path, a.target_path)
        sym = anchor_symbol(target, a.symbol, symbols_in)
        if sym is None:
            what = "symbol" if file_exists(target) else "file"
            out.append(ANC001.finding(md_path, a.line, a.symbol, f"link to `{a.symbol}` in {target}: no such {what}"))
            continue
        entry = lock.get(lock_key(md_path, target, a.symbol))
        if entry is None:
            out.append(ANC003.finding(md_path, a.line, sym.id, f"link to `{sym.id}` is not confirmed in the lock file"))
        elif entry.get("sig") != sym.sig_hash or entry.get("body") != sym.body_hash:
            what = " and ".join(w for w, k, v in (("signature", "sig", sym.sig_hash), ("body", "body", sym.body_hash))
                                if entry.get(k) != v)
            out.append(ANC002.finding(md_path, a.line, sym.id, f"`{sym.id}` {what} changed since this text was confirmed"))
    return out


def read_lock(path: Path) -> dict:
    """The lock file's anchors (empty when there is none); a broken one is an error."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise LlmctlError(f"{path}: not a valid llmctl lock file ({err})", "fix it, or delete it and run --accept") from None
    return data.get("anchors", {}) if isinstance(data, dict) else {}


def write_lock(path: Path, md_texts: dict[str, str], symbols_in: SymbolsIn) -> int:
    """Record every anchored link's current hashes; returns how many links were confirmed."""
    from llmctl.analyzers.markdown import extract

    lock: dict[str, dict] = {}
    for md_path, text in md_texts.items():
        for a in extract(text).anchors:
            target = anchor_target(md_path, a.target_path)
            sym = anchor_symbol(target, a.symbol, symbols_in)
            if sym is not None:
                lock[lock_key(md_path, target, a.symbol)] = {"symbol": sym.id, "sig": sym.sig_hash,
                                                             "body": sym.body_hash}
    atomic_write(path, json.dumps({"version": 1, "anchors": dict(sorted(lock.items()))}, indent=2) + "\n")
    return len(lock)
