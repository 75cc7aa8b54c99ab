"""The pre-commit hook's entry point: `docs check --staged` without the CLI framework.

Typer (and the pydantic adapters it loads to coerce options) and rich cost
~150 ms of imports, half the hook's budget; the hook takes no options, so it
calls the check directly and prints plain text (colour only on a terminal).
Also the ``llmctl-pre-commit`` console script, for the pre-commit framework.
"""

from __future__ import annotations

import os
import sys


_COLOURS = {"error": "31", "warning": "33", "info": "34"}


def ansi(text: str, style: str) -> str:
    """``text`` in the ANSI colour of ``style`` ("bold" or a severity)."""
    return f"\033[{'1' if style == 'bold' else _COLOURS[style]}m{text}\033[0m"


def _paint(text: str, style: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return ansi(text, style)


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


def main() -> None:
    """Check the staged content; exit 1 on findings at or above check.fail_on unless hooks.mode is warn."""
    from llmctl.core.check import fails, run_check
    from llmctl.core.errors import LlmctlError
    from llmctl.core.project import open_project

    try:
        project = open_project(None)
        result = run_check(project, staged=True)
    except LlmctlError as err:
        sys.stderr.write(f"llmctl: error: {err}\n")
        raise SystemExit(2) from None
    out = finding_lines(result.findings, _paint)
    if out:
        sys.stdout.write("\n".join(out) + f"\n\n{len(result.findings)} findings in the staged change\n")
    if not fails(result.findings, project.config.check.fail_on):
        return
    if project.config.hooks.mode == "warn":
        sys.stderr.write("llmctl: hooks.mode = warn — committing anyway\n")
        return
    sys.stderr.write("llmctl: commit stopped by doc drift (fix it, or `git commit --no-verify`)\n")
    raise SystemExit(1)


if __name__ == "__main__":
    main()
