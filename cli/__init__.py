"""llmctl.cli: the Typer app, one module per command group. No business logic lives here."""
