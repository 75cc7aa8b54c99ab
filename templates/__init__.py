"""llmctl.templates: Jinja2 templates for config, doc pages and model prompts (package data)."""

from __future__ import annotations

from importlib.resources import files


def read_template(name: str) -> str:
    """The text of a bundled template file."""
    return files(__name__).joinpath(name).read_text("utf-8")
