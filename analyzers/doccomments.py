"""Doc-comment parsers for brace languages: JSDoc/TSDoc and Javadoc block tags, Go doc comments, rustdoc.

Each parser is a pure function of the cleaned comment text (Python docstrings
are in :mod:`.docstrings`).
"""

from __future__ import annotations

import re

from llmctl.analyzers.docstrings import _dedent_block, _summary_and_description
from llmctl.analyzers.symbols import DocItem, ParsedDoc


# --------------------------------------------------------------------------
# Block-tag comments: JSDoc/TSDoc and Javadoc
# --------------------------------------------------------------------------

def clean_block_comment(raw: str) -> str:
    """Strip ``/** ... */`` delimiters and leading ``*`` from a block comment."""
    text = raw.strip()
    if text.startswith("/**"):
        text = text[3:]
    elif text.startswith("/*"):
        text = text[2:]
    if text.endswith("*/"):
        text = text[:-2]
    lines = [re.sub(r"^\s*\*( ?)", "", ln) for ln in text.splitlines()]
    return "\n".join(_dedent_block(lines)).strip()


_TAG = re.compile(r"^\s*@(\w+)\s*(.*)$")


def _braced_type(body: str) -> tuple[str | None, str]:
    """A tag's leading ``{type}`` (braces may nest: ``{String|{ [k: string]: any }}``) and the rest."""
    if not body.startswith("{"):
        return None, body
    depth = 0
    for i, ch in enumerate(body):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            return body[1:i].strip(), body[i + 1:].lstrip()
    return None, body


def parse_block_tags(text: str, style: str) -> ParsedDoc:
    """Parse cleaned JSDoc/TSDoc (``style="jsdoc"``) or Javadoc (``"javadoc"``) text."""
    intro: list[str] = []
    tags: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = _TAG.match(line)
        if m:
            tags.append((m.group(1), [m.group(2)]))
        elif tags:
            tags[-1][1].append(line.strip())
        else:
            intro.append(line)
    # Javadoc's inline {@code x}/{@link X} read as their text.
    intro_text = re.sub(r"\{@\w+\s+([^}]*)\}", r"\1", "\n".join(intro))
    summary, description = _summary_and_description(re.sub(r"<[^>]+>", "", intro_text))
    out = ParsedDoc(summary=summary, description=description, style=style)
    for tag, parts in tags:
        body = " ".join(p for p in parts if p).strip()
        typ, body = _braced_type(body)
        if tag in ("param", "arg", "argument"):
            m = re.match(r"^(\[[^\]]*\]|\.\.\.[\w$]+|[\w$]+(?:\.[\w$]+)*)((?:\(s\))?(?:\.\.\.)?)\s*(?:-\s*)?(.*)$", body, re.S)
            if not m:
                continue
            raw = m.group(1).strip("[]").split("=")[0].strip()
            name = raw.lstrip(".")
            if "." in name:  # JSDoc sub-property "opts.x": documented under its parent
                continue
            if raw.startswith("...") or m.group(2):  # `...encoding`, `types...`, `type(s)`: a rest parameter,
                typ = typ if (typ or "").startswith("...") else "..." + (typ or "*")  # JSDoc's `{...T}`
            out.params.append(DocItem(name=name, type=typ, description=m.group(3).strip()))
        elif tag in ("returns", "return"):
            out.returns = DocItem(type=typ, description=body)
        elif tag in ("yields", "yield"):
            out.yields = DocItem(type=typ, description=body)
        elif tag in ("throws", "exception", "throw"):
            if style == "javadoc" or typ is None:
                first, _, rest = body.partition(" ")
                if style == "javadoc":
                    typ, body = first, rest
            out.raises.append(DocItem(name=typ, type=typ, description=body.strip()))
    return out


# --------------------------------------------------------------------------
# Line comments: Go doc comments and rustdoc
# --------------------------------------------------------------------------

def parse_go_doc(text: str) -> ParsedDoc:
    """Parse a Go doc comment (already stripped of ``//``)."""
    summary, description = _summary_and_description(text)
    return ParsedDoc(summary=summary, description=description, style="godoc")


_RUST_SECTIONS = {
    "arguments": "params", "parameters": "params", "args": "params",
    "returns": "returns", "return": "returns",
    "errors": "raises", "panics": "raises",
}


def parse_rustdoc(text: str) -> ParsedDoc:
    """Parse rustdoc Markdown: summary, ``# Arguments``, ``# Returns``, ``# Errors``, ``# Panics``."""
    intro: list[str] = []
    sections: list[tuple[str, str, list[str]]] = []
    current: list[str] | None = None
    in_fence = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_fence = not in_fence
        m = None if in_fence else re.match(r"^\s*#{1,3}\s+(\w+)\s*$", line)
        if m:
            title = m.group(1)
            current = []
            sections.append((_RUST_SECTIONS.get(title.lower(), ""), title, current))
            continue
        (intro if current is None else current).append(line)
    summary, description = _summary_and_description("\n".join(intro))
    out = ParsedDoc(summary=summary, description=description, style="rustdoc")
    for kind, title, body in sections:
        text_body = "\n".join(body).strip()
        if kind == "params":
            for m in re.finditer(r"^\s*[*-]\s+`?(\w+)`?\s*(?:[-:—]\s*)?(.*)$", text_body, re.M):
                out.params.append(DocItem(name=m.group(1), description=m.group(2).strip()))
        elif kind == "returns":
            out.returns = DocItem(description=" ".join(text_body.split()))
        elif kind == "raises":
            out.raises.append(DocItem(name=title, type=title, description=" ".join(text_body.split())))
    return out
