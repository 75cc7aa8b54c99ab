"""The Jinja2 templates of pages, sections, the index and prompts.

The user's ``docs.templates_dir`` comes first, then the bundled templates; a
template's text is hashed into markers and cache keys, so editing one
re-renders what it renders.
"""

from __future__ import annotations

import hashlib

from llmctl.core.project import Project


class Templates:
    """The Jinja2 environment: the user's docs.templates_dir first, then the bundled templates."""

    def __init__(self, project: Project | None = None):
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

        loaders = []
        if project is not None and project.config.docs.templates_dir:
            loaders.append(FileSystemLoader(str(project.root / project.config.docs.templates_dir)))
        loaders.append(PackageLoader("llmctl.templates", ""))
        self.env = Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=False, autoescape=False)

    def render(self, template: str, **ctx) -> str:
        """Render a template by file name."""
        return self.env.get_template(template).render(**ctx)

    def source(self, name: str) -> str:
        """A template's text (for hashing into cache keys and markers)."""
        return self.env.loader.get_source(self.env, name)[0]

    def page_hash(self) -> str:
        """Hash of the templates a generated section depends on (the ``tpl=`` marker attribute)."""
        text = self.source("symbol.md.j2") + "\0" + self.source("page.md.j2")
        return hashlib.sha256(text.encode()).hexdigest()[:12]
