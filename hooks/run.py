"""The pre-commit hook's entry point: `docs check --staged` without the CLI framework.

Typer (and the pydantic adapters it loads to coerce options) and rich cost
~150 ms of imports, half the hook's budget; the hook takes no options, so it
calls the check directly and prints plain text (colour only on a terminal).
Also the ``llmctl-pre-commit`` console script, for the pre-commit framework.
"""

from __future__ import annotations

import os
import sys

from llmctl.core.check.report import ansi


def _paint(text: str, style: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return ansi(text, style)


def main() -> None:
    """Check the staged content; exit 1 on findings at or above check.fail_on unless hooks.mode is warn."""
    from llmctl.core.check.report import fails, finding_lines
    from llmctl.core.check.run import run_check
    from llmctl.core.errors import LlmctlError
    from llmctl.core.project import open_project

    try:
        project = open_project(None)
        result = run_check(project, staged=True)
    except LlmctlError as err:
        sys.stderr.write(err.line() + "\n")
        raise SystemExit(err.exit_code) from None
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
