"""The one error type the CLI turns into a one-line message and exit code 2."""

from __future__ import annotations


class LlmctlError(Exception):
    """A usage or environment problem: a one-line cause and the fix.

    The CLI prints ``llmctl: error: <message>`` (and the fix, if any) and exits 2.
    """

    exit_code = 2

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message
