"""The Jinja2 templates of pages, sections, the index and prompts.

The user's ``docs.templates_dir`` comes first, then the bundled templates; a
template's text is hashed into markers and cache keys, so editing one
re-renders what it renders.
"""

from __future__ import annotations

import hashlib

from llmctl.core.project import Project


# Bump when rendering changes what a section says for the same code and templates (2: a property's
# getter speaks for it, not its setter, core/api Entry.symbol; 3: Python special methods are summarised
# by the syntax that calls them, prose.called_by; 4: Rust trait implementations by their trait; 5: JS/TS
# constructors by `new`; 6: an undocumented override shows the doc comment it inherits, inherit.py,
# and an indented code block after "Example usage:" is fenced, docmd._looks_like_code; 7: the last
# documented overload speaks for a group, and a JS/TS getter rather than its setter, core/api Entry.symbol).
RENDER_VERSION = 7


class Templates:
    """The Jinja2 environment: the user's docs.templates_dir first, then the bundled templates."""

    def __init__(self, project: Project | None = None):
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

        loaders = []
        if project is not None and project.config.docs.templates_dir:
            loaders.append(FileSystemLoader(str(project.root / project.config.docs.templates_dir)))
        loaders.append(PackageLoader("llmctl.templates", ""))
        # Which cached prose a section shows depends on docs.min_confidence and docs.generate too.
        self.floor = project.config.docs.confidence_floor if project is not None else None
        self.generate = project.config.docs.generate if project is not None else None
        self._page_hash: str | None = None  # the same for every page of a run: computed once (page_hash)
        self.env = Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=False, autoescape=False)

    def render(self, template: str, **ctx) -> str:
        """Render a template by file name."""
        return self.env.get_template(template).render(**ctx)

    def source(self, name: str) -> str:
        """A template's text (for hashing into cache keys and markers)."""
        return self.env.loader.get_source(self.env, name)[0]

    def page_hash(self) -> str:
        """Hash of what a generated section depends on besides the code (the ``tpl=`` marker attribute).

        The templates, the confidence floor (``docs.min_confidence``) that decides
        which cached answers it shows (changing the floor re-renders, from the cache),
        ``docs.generate`` (from "all" to "summaries" drops generated parameter descriptions),
        the analyzers' and the renderer's versions: a parser that reads doc comments
        anew (httpx's Markdown parameter lists), or a renderer that picks another
        definition to speak for a section, re-renders sections whose code did not change;
        and the prompt (its template and ``task.PROMPT_VERSION``): answers cached for an
        older prompt are not shown, so a section that holds one is rendered and asked anew.
        """
        if self._page_hash is not None:
            return self._page_hash
        from llmctl.analyzers import ANALYZER_VERSION
        from llmctl.core.docs.task import PROMPT_VERSION, TEMPLATE

        text = (self.source("symbol.md.j2") + "\0" + self.source("page.md.j2") + "\0" + self.source(TEMPLATE)
                + f"\0analyzers={ANALYZER_VERSION}\0render={RENDER_VERSION}\0prompt={PROMPT_VERSION}")
        if self.floor is not None:
            text += f"\0min_confidence={self.floor!r}"
        if self.generate is not None:
            text += f"\0generate={self.generate}"
        self._page_hash = hashlib.sha256(text.encode()).hexdigest()[:12]
        return self._page_hash
