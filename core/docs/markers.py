"""Provenance markers in generated Markdown, and merging pages with a user's own text.

Every generated section sits between two HTML comments::

    <!-- llmctl:begin id="pkg.mod.func" sig=… doc=… body=… tpl=… -->
    …generated Markdown…
    <!-- llmctl:end id="pkg.mod.func" -->

The begin marker carries the symbol id and the hashes the section was made
from, so `docs check` can tell a stale section without any lock file, and
`docs sync` can keep a current one byte for byte. Everything outside the
markers belongs to the user and survives every sync unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BEGIN = re.compile(r'<!-- llmctl:begin id="(?P<id>[^"]*)"(?P<attrs>[^>]*?)\s*-->')
_END = '<!-- llmctl:end id="{id}" -->'
_ATTR = re.compile(r'(\w+)=("[^"]*"|\S+)')


@dataclass
class Block:
    """A generated section found in a page."""

    id: str
    attrs: dict[str, str]
    text: str  # from the begin marker through the end marker, inclusive
    line: int  # 1-based line of the begin marker


@dataclass
class Page:
    """A page split into user text and generated blocks, in order."""

    parts: list[str | Block] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        """The generated blocks, in page order."""
        return [p for p in self.parts if isinstance(p, Block)]


def begin_marker(symbol_id: str, attrs: dict[str, str]) -> str:
    """The opening comment of a generated section."""
    extra = "".join(f" {k}={v}" for k, v in attrs.items())
    return f'<!-- llmctl:begin id="{symbol_id}"{extra} -->'


def end_marker(symbol_id: str) -> str:
    """The closing comment of a generated section."""
    return _END.format(id=symbol_id)


def wrap(symbol_id: str, attrs: dict[str, str], body: str) -> str:
    """``body`` between the markers for ``symbol_id``."""
    return f"{begin_marker(symbol_id, attrs)}\n{body.rstrip()}\n{end_marker(symbol_id)}"


def parse_page(text: str) -> Page:
    """Split ``text`` into user text and blocks. An unterminated block stays user text."""
    page = Page()
    pos = 0
    for m in _BEGIN.finditer(text):
        if m.start() < pos:
            continue  # inside a block already consumed
        end = text.find(end_marker(m.group("id")), m.end())
        if end < 0:
            continue
        end += len(end_marker(m.group("id")))
        if m.start() > pos:
            page.parts.append(text[pos:m.start()])
        attrs = {k: v.strip('"') for k, v in _ATTR.findall(m.group("attrs"))}
        page.parts.append(Block(m.group("id"), attrs, text[m.start():end], text.count("\n", 0, m.start()) + 1))
        pos = end
    if pos < len(text):
        page.parts.append(text[pos:])
    return page


def merge(old: Page | None, new_blocks: list[tuple[str, str]], header: str = "") -> str:
    """The page text after a sync.

    ``new_blocks`` are ``(id, full block text)`` in code order. User text keeps
    its place after the block it followed; text after a block that disappeared
    moves up to the previous surviving block; nothing the user wrote is lost.
    A new page starts with ``header``.
    """
    if old is None or not old.blocks:
        lead = old.parts[0] if old is not None and old.parts else header
        body = "\n\n".join(text for _, text in new_blocks)
        return (lead.rstrip("\n") + "\n\n" if lead.strip() else "") + body + "\n"
    # User text anchored to the block before it (None: the top of the page).
    anchored: dict[str | None, list[str]] = {}
    anchor: str | None = None
    new_ids = {i for i, _ in new_blocks}
    for part in old.parts:
        if isinstance(part, Block):
            if part.id in new_ids:
                anchor = part.id
        else:
            anchored.setdefault(anchor, []).append(part)
    out: list[str] = anchored.pop(None, [])
    for i, (sid, text) in enumerate(new_blocks):
        if out and not out[-1].endswith("\n"):
            out.append("\n")
        if i and not anchored.get(new_blocks[i - 1][0]) and out and not out[-1].endswith("\n\n"):
            out.append("\n")
        out.append(text)
        out.extend(anchored.pop(sid, []))
    if not out or not out[-1].endswith("\n"):
        out.append("\n")
    return "".join(out)


def section_hashes(symbols: list) -> dict[str, str]:
    """The ``sig``/``doc``/``body`` marker attributes of a section made from ``symbols``.

    One symbol: its own hashes (so GEN rules compare them directly). Several (overloads,
    a getter and its setter): a hash over all of theirs, in source order.
    """
    if len(symbols) == 1:
        s = symbols[0]
        return {"sig": s.sig_hash, "doc": s.doc_hash, "body": s.body_hash}
    from llmctl.analyzers.base import short_hash

    return {k: short_hash("|".join(getattr(s, f"{k}_hash") for s in symbols)) for k in ("sig", "doc", "body")}
