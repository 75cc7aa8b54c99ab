"""llmctl.core: configuration, the symbol model and store, git access, and the engines behind each command."""
