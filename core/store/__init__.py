"""The symbol store: ``db`` (SQLite under ``.llmctl/``), ``scan`` (bringing it in step with the files)."""
