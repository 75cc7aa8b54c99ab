"""The one error type every entry point turns into a one-line message and exit code 2."""

from __future__ import annotations


class LlmctlError(Exception):
    """A usage or environment problem: a one-line cause and the fix.

    Every entry point (the CLI, the pre-commit hook, a training process under
    ``accelerate launch``) prints :meth:`line` on stderr and exits with
    :attr:`exit_code`, so a user sees the same words wherever it happens.
    """

    exit_code = 2

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message

    def line(self) -> str:
        """The line printed on stderr: ``llmctl: error: <message> — <fix>``."""
        return f"llmctl: error: {self.message}" + (f" — {self.fix}" if self.fix else "")
