"""``python -m llmctl.cli`` runs the CLI."""

from llmctl.cli.main import main

main()
