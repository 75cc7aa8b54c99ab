"""llmctl.hooks: the git pre-commit hook and its installer (see issue #5)."""
