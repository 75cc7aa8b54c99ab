"""What keeps a finding out of the report: config filters, inline comments, the baseline.

One path for all of them, applied after the rules ran: ``check.select`` /
``check.ignore`` / ``check.per_path_ignores`` and severity overrides from
config; ``llmctl: ignore[CODE]`` on (or next to) the line in code, on or
above the line in Markdown; and a baseline file of accepted legacy findings.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from llmctl.core.check.rules import Finding
from llmctl.core.config import CheckConfig
from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write
from llmctl.core.globs import match as glob_match

_SUPPRESS = re.compile(r"llmctl:\s*ignore(?:\[([A-Z0-9, ]+)\])?")


@dataclass
class Filtered:
    """Findings kept, and how many each filter removed."""

    kept: list[Finding] = field(default_factory=list)
    suppressed: int = 0
    baselined: int = 0


def _code_matches(code: str, patterns: list[str]) -> bool:
    return any(code.startswith(p) for p in patterns)


def markdown_suppressed(f: Finding, suppress: dict[int, set[str] | None]) -> bool:
    """True when an ``llmctl: ignore`` comment on the finding's line or the one above covers it."""
    codes = suppress.get(f.line, False)
    if codes is False:
        codes = suppress.get(f.line - 1, False)
    return codes is not False and (codes is None or f.rule in codes)


def code_suppressed(f: Finding, lines: list[str]) -> bool:
    """True when an ``llmctl: ignore`` comment on, above or below the definition line covers it."""
    for ln in (f.line, f.line - 1, f.line + 1):
        if 1 <= ln <= len(lines):
            m = _SUPPRESS.search(lines[ln - 1])
            if m and (not m.group(1) or f.rule in {c.strip() for c in m.group(1).split(",")}):
                return True
    return False


def apply_filters(findings: list[Finding], cfg: CheckConfig, root: Path, overlay_texts: dict[str, str],
                  out: Filtered) -> None:
    """Config filters and inline suppression of code findings; sets each kept finding's severity."""
    per_path = list(cfg.per_path_ignores.items())
    lines_cache: dict[str, list[str]] = {}
    for f in findings:
        if cfg.select and not _code_matches(f.rule, cfg.select):
            continue
        if _code_matches(f.rule, cfg.ignore):
            continue
        if any(glob_match(f.path, [glob]) and _code_matches(f.rule, codes) for glob, codes in per_path):
            continue
        f.severity = cfg.severity.get(f.rule, f.severity)
        if not f.path.endswith(".md"):
            if f.path not in lines_cache:
                lines_cache[f.path] = _source_lines(root, f.path, overlay_texts)
            if code_suppressed(f, lines_cache[f.path]):
                out.suppressed += 1
                continue
        out.kept.append(f)


def _source_lines(root: Path, path: str, overlay_texts: dict[str, str]) -> list[str]:
    if path in overlay_texts:
        return overlay_texts[path].splitlines()
    try:
        return (root / path).read_text("utf-8", "replace").splitlines()
    except OSError:
        return []


def fingerprint(f: Finding) -> str:
    """What identifies a finding across runs: rule, path, symbol and message (not the line)."""
    return hashlib.sha256("\x1f".join([f.rule, f.path, f.symbol, f.message]).encode()).hexdigest()[:20]


def write_baseline(path: Path, findings: list[Finding]) -> None:
    """Record findings as accepted legacy drift (matched later by rule, path, symbol, message)."""
    data = {"version": 1, "findings": sorted(
        ({"fingerprint": fingerprint(f), "rule": f.rule, "path": f.path, "symbol": f.symbol} for f in findings),
        key=lambda d: (d["path"], d["rule"], d["symbol"]))}
    atomic_write(path, json.dumps(data, indent=2) + "\n")


def read_baseline(path: Path) -> set[str]:
    """The fingerprints a baseline file accepts."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return {d["fingerprint"] for d in data.get("findings", [])}
    except FileNotFoundError:
        raise LlmctlError(f"{path}: baseline file not found", "create it with --generate-baseline") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise LlmctlError(f"{path}: not a valid baseline ({err})", "regenerate it with --generate-baseline") from None


def apply_baseline(out: Filtered, path: Path) -> None:
    """Drop the findings the baseline accepts."""
    known = read_baseline(path)
    kept = [f for f in out.kept if fingerprint(f) not in known]
    out.baselined = len(out.kept) - len(kept)
    out.kept = kept
