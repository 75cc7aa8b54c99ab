"""Findings as text: the one formatter the pre-commit hook and ``docs check`` both print.

Plain strings with an optional painter for colour, so the hook can print
without importing rich (its budget is a fraction of a second) and the CLI can
hand the same lines to rich.
"""

from __future__ import annotations

_COLOURS = {"error": "31", "warning": "33", "info": "34"}
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def ansi(text: str, style: str) -> str:
    """``text`` in the ANSI colour of ``style`` ("bold" or a severity)."""
    return f"\033[{'1' if style == 'bold' else _COLOURS[style]}m{text}\033[0m"


def finding_lines(findings, paint=lambda text, _style: text) -> list[str]:
    """Findings grouped by file, one line each plus its fix; ``paint(text, style)`` adds colour.

    ``style`` is "bold" for a path, else the finding's severity.
    """
    out: list[str] = []
    current = None
    for f in findings:
        if f.path != current:
            current = f.path
            out.append(f"\n{paint(f.path, 'bold')}")
        out.append(f"  {f.line:>5}  {paint(f.rule, f.severity)} {f.message}  ({f.symbol})")
        if f.fix:
            out.append(f"         fix: {f.fix}")
    return out


def fails(findings, fail_on: str) -> bool:
    """True when any finding is at or above ``fail_on``."""
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in findings)
