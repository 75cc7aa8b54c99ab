#!/bin/sh
# llmctl pre-commit hook — installed by `llmctl hooks install`; `llmctl hooks uninstall` removes it
# and restores any hook that was here before (kept beside it as pre-commit.llmctl-chained).
# It checks the staged content only, never changes files or the index, and asks no model.
# Skip it once with `git commit --no-verify`.
chained="$(dirname "$0")/pre-commit.llmctl-chained"
if [ -x "$chained" ]; then
    "$chained" "$@" || exit $?
fi
# `python -m` would put the repository first on sys.path, so a folder named like an
# installed package (pydantic/, typer/) would shadow it: drop that entry first.
exec "@PYTHON@" -c 'import sys; del sys.path[0]; from llmctl.hooks.run import main; main()'
