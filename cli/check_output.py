"""Output of `llmctl docs check`: rich (grouped by file), JSON, SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from llmctl.cli.output import console


def emit(fmt: str, result, root: Path) -> None:
    """Print ``result`` in format ``fmt``."""
    {"rich": _rich, "json": _json, "sarif": _sarif, "github": _github}[fmt](result, root)


def _json(result, root: Path) -> None:
    sys.stdout.write(json.dumps({"findings": [f.to_json() for f in result.findings], "summary": result.summary()},
                                indent=2) + "\n")


def _rich(result, root: Path) -> None:
    from rich.markup import escape
    from rich.text import Text

    from llmctl.core.check.report import ansi, finding_lines

    out = console()
    # Messages quote code (`[~utils.Error]`), so no rich markup: colour travels as ANSI
    # codes, which rich keeps on a terminal and drops elsewhere.
    for line in finding_lines(result.findings, ansi):
        out.print(Text.from_ansi(line), highlight=False)
    s = result.summary()
    sev = s["by_severity"]
    if result.findings:
        out.print(f"\n{s['findings']} findings ({sev['error']} errors, {sev['warning']} warnings, {sev['info']} info) "
                  f"in {s['symbols_checked']} symbols and {s['markdown_checked']} Markdown files {escape('[' + result.scope + ']')}")
    else:
        out.print(f"no drift: {s['symbols_checked']} symbols and {s['markdown_checked']} Markdown files checked "
                  f"{escape('[' + result.scope + ']')}")


def _github(result, root: Path) -> None:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for f in result.findings:
        msg = f"{f.message} (fix: {f.fix})" if f.fix else f.message
        msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        sys.stdout.write(f"::{level[f.severity]} file={f.path},line={f.line},title=llmctl {f.rule}::{msg}\n")


def _sarif(result, root: Path) -> None:
    from llmctl.core.check.rules import RULES

    used = sorted({f.rule for f in result.findings})
    level = {"error": "error", "warning": "warning", "info": "note"}
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "llmctl", "informationUri": "https://github.com/llmctl/llmctl", "rules": [
                {"id": code, "name": RULES[code].title, "shortDescription": {"text": RULES[code].title},
                 "fullDescription": {"text": RULES[code].explain},
                 "defaultConfiguration": {"level": level[RULES[code].severity]}} for code in used]}},
            "results": [{
                "ruleId": f.rule, "level": level[f.severity], "message": {"text": f.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.path},
                                                    "region": {"startLine": max(1, f.line)}}}],
                "partialFingerprints": {"llmctl/v1": f"{f.rule}:{f.path}:{f.symbol}"},
            } for f in result.findings],
        }],
    }
    sys.stdout.write(json.dumps(sarif, indent=2) + "\n")
