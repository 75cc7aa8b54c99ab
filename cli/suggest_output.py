"""``llmctl docs check --suggest``: the model's rewrite of each stale doc comment, as a diff (written with --fix)."""

from __future__ import annotations

import sys
from contextlib import ExitStack

from llmctl.cli.output import console


def suggest_fixes(project, result, *, write: bool) -> None:
    """For every DOC401 finding: ask the model, print the unified diff, and with ``write`` apply it."""
    from llmctl.core.check.suggest import patch_python, suggest, unified
    from llmctl.core.fsutil import atomic_write
    from llmctl.core.model.connect import connect

    err = console(stderr=True)
    stale = [f for f in result.findings if f.rule == "DOC401" and (f.path, f.symbol) in result.changes]
    if not stale:
        err.print("--suggest: no doc comment flagged as stale (DOC401)")
        return
    with ExitStack() as stack:
        client = connect(project, stack, lambda m: err.print(m))
        for f in stale:
            change = result.changes[(f.path, f.symbol)]
            doc = suggest(client, change)
            if doc is None:
                err.print(f"{f.path}:{f.line} {f.symbol}: the model offered no rewrite")
                continue
            path = project.root / f.path
            source = path.read_text(encoding="utf-8")
            patched = patch_python(source, change, doc) if change.new.language == "python" else None
            if patched is None:
                sys.stdout.write(f"# {f.path}:{f.line} {f.symbol}: suggested doc comment\n{doc}\n\n")
                continue
            sys.stdout.write(unified(f.path, source, patched))
            if write:
                atomic_write(path, patched)
                err.print(f"wrote the suggested doc comment of {f.symbol} to {f.path} (not staged)")
