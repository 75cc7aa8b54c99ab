"""The drift rules' registry: each rule declared once, next to its check, with a stable code.

A family module (``docstring`` DOC, ``generated`` GEN, ``markdown`` MD,
``anchors`` ANC) declares each of its rules with :func:`rule` (code, default
severity, title, ``--explain`` text, fix hint) right above the function that
checks it, and creates findings through the rule (:meth:`Rule.at`,
:meth:`Rule.finding`). Codes never change meaning. A code outside the known
families, a duplicate, or a finding for a code no rule declares is refused
on the spot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEVERITIES = ("info", "warning", "error")
FAMILIES = {
    "DOC": "doc comment vs the code it documents",
    "GEN": "generated reference vs the code",
    "MD": "hand-written Markdown vs the code",
    "ANC": "anchored links to code",
}
_CODE = re.compile(r"^(?P<family>[A-Z]+)\d{3}$")
RULES: dict[str, Rule] = {}


@dataclass
class Finding:
    """One piece of drift, located and explained."""

    rule: str
    path: str
    line: int
    symbol: str
    message: str
    severity: str = ""
    fix: str = ""

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"finding for unknown rule code {self.rule!r}")

    def to_json(self) -> dict:
        """The ``--format json`` shape (names are an interface)."""
        return {"rule": self.rule, "path": self.path, "line": self.line, "symbol": self.symbol,
                "message": self.message, "severity": self.severity, "fix": self.fix}


@dataclass(frozen=True)
class Rule:
    """A rule's code, default severity, one-line title, explanation and fix hint."""

    code: str
    severity: str
    title: str
    explain: str
    fix: str

    def finding(self, path: str, line: int, symbol: str, message: str, fix: str | None = None) -> Finding:
        """A finding of this rule at ``path:line`` (``fix`` defaults to the rule's hint)."""
        return Finding(self.code, path, line, symbol, message, self.severity, self.fix if fix is None else fix)

    def at(self, sym, message: str, fix: str | None = None, line: int | None = None) -> Finding:
        """A finding of this rule on a symbol's definition."""
        return self.finding(sym.path, line or sym.line, sym.id, message, fix)


def rule(code: str, severity: str, title: str, explain: str, fix: str) -> Rule:
    """Declare a rule; refuses a malformed or duplicate code, an unknown family or severity."""
    m = _CODE.match(code)
    if m is None or m.group("family") not in FAMILIES:
        raise ValueError(f"rule code {code!r} is not a known family ({', '.join(FAMILIES)}) plus three digits")
    if code in RULES:
        raise ValueError(f"rule {code} is declared twice")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {code}: severity {severity!r} is not one of {SEVERITIES}")
    RULES[code] = r = Rule(code, severity, title, explain, fix)
    return r


def known_code(code: str) -> bool:
    """True when ``code`` is a declared rule code or a prefix of one (``DOC``, ``DOC1``)."""
    return any(c.startswith(code) for c in RULES)


# The family modules declare their rules on import.
from llmctl.core.check.rules import (  # noqa: E402,F401
    anchors, classes, docstring, generated, markdown, raises, returns, stale,
)
