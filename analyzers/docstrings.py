"""Doc-comment parsers: raw comment text -> :class:`ParsedDoc`.

Python docstrings in Google, NumPy and Sphinx/reST style; JSDoc/TSDoc and
Javadoc block tags; Go doc comments; rustdoc sections (``# Arguments``,
``# Returns``, ``# Errors``, ``# Panics``). Each parser is a pure function of
the cleaned comment text.
"""

from __future__ import annotations

import re

from llmctl.analyzers.symbols import DocItem, ParsedDoc

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`'\"(\[])")


def first_sentence(paragraph: str) -> str:
    """Return the first sentence of a paragraph, whitespace collapsed."""
    text = " ".join(paragraph.split())
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return parts[0] if parts else ""


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _summary_and_description(text: str) -> tuple[str, str]:
    """(first sentence, the whole text) -- the text as written, indentation kept (code blocks, directives)."""
    paras = _paragraphs(text)
    if not paras:
        return "", ""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return first_sentence(paras[0]), "\n".join(ln.rstrip() for ln in _dedent_block(lines))


def _dedent_block(lines: list[str]) -> list[str]:
    indents = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]
    cut = min(indents) if indents else 0
    return [ln[cut:] for ln in lines]


# --------------------------------------------------------------------------
# Python
# --------------------------------------------------------------------------

_GOOGLE_SECTIONS = {
    "args": "params", "arguments": "params", "parameters": "params", "params": "params",
    "keyword args": "params", "keyword arguments": "params", "other parameters": "params",
    "returns": "returns", "return": "returns", "yields": "returns", "yield": "returns",
    "raises": "raises", "raise": "raises", "except": "raises", "exceptions": "raises",
}
_GOOGLE_HEADER = re.compile(r"^\s*([A-Za-z][A-Za-z ]*):\s*$")
_NUMPY_HEADER = re.compile(r"^\s*([A-Za-z][A-Za-z ]*)\s*\n\s*-{3,}\s*$", re.M)
_SPHINX_FIELD = re.compile(
    r"^\s*:(param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?|raise|except|exception)"
    r"(?:\s+([^:]*?))?\s*:\s*(.*)$"
)


def detect_python_style(doc: str) -> str:
    """Name the docstring convention used: ``sphinx``, ``numpy``, ``google`` or ``plain``."""
    if re.search(r"^\s*:(param|parameter|arg|type|returns?|rtype|raises?)\b", doc, re.M):
        return "sphinx"
    for match in _NUMPY_HEADER.finditer(doc):
        if match.group(1).strip().lower() in _GOOGLE_SECTIONS:
            return "numpy"
    for line in doc.splitlines():
        m = _GOOGLE_HEADER.match(line)
        if m and m.group(1).strip().lower() in _GOOGLE_SECTIONS:
            return "google"
    return "plain"


def parse_python_docstring(doc: str) -> ParsedDoc:
    """Parse a cleaned Python docstring in any of the three common styles."""
    style = detect_python_style(doc)
    if style == "sphinx":
        return _parse_sphinx(doc)
    if style == "numpy":
        return _parse_numpy(doc)
    if style == "google":
        return _parse_google(doc)
    summary, description = _summary_and_description(doc)
    return ParsedDoc(summary=summary, description=description, style="plain")


def _split_name_type(spec: str) -> tuple[str, str | None]:
    """``name (int, optional)`` -> ("name", "int, optional")."""
    m = re.match(r"^\s*(\*{0,2}[\w.]+)\s*(?:\((.*)\))?\s*$", spec)
    if m:
        return m.group(1), (m.group(2) or None)
    return spec.strip(), None


def _parse_google(doc: str) -> ParsedDoc:
    lines = doc.splitlines()
    intro: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        m = _GOOGLE_HEADER.match(line)
        if m and m.group(1).strip().lower() in _GOOGLE_SECTIONS and (len(line) - len(line.lstrip())) <= 4:
            current = []
            sections.append((_GOOGLE_SECTIONS[m.group(1).strip().lower()], current))
            continue
        if current is None:
            intro.append(line)
        elif m and not line.startswith((" ", "\t")):
            current = None  # an unknown top-level section (Examples:, Note:) ends ours
            intro.append(line)
        else:
            current.append(line)
    summary, description = _summary_and_description("\n".join(intro))
    out = ParsedDoc(summary=summary, description=description, style="google")
    for kind, body in sections:
        for head, text in _entries(_dedent_block(body), split_colon=True):
            if kind == "params":
                name, typ = _split_name_type(head)
                out.params.append(DocItem(name=name.lstrip("*"), type=typ, description=text))
            elif kind == "returns":
                # "Returns:\n    int: the count" or free text.
                if text and re.match(r"^[\w\[\], .|]+$", head) and len(head) < 60:
                    out.returns = DocItem(type=head.strip(), description=text)
                else:
                    joined = (head + (" " + text if text else "")).strip()
                    out.returns = DocItem(description=joined)
            else:
                out.raises.append(DocItem(name=head.strip(), type=head.strip(), description=text))
    return out


def _entries(body: list[str], split_colon: bool) -> list[tuple[str, str]]:
    """Split a section body into (head, description) entries.

    An unindented line starts an entry; indented lines continue it. Google
    style puts the description after the head's colon (``split_colon``); NumPy
    style keeps ``name : type`` whole as the head.
    """
    entries: list[tuple[str, list[str]]] = []
    for line in body:
        if not line.strip():
            continue
        if not line[:1].isspace():
            head, sep, rest = line.partition(":") if split_colon else (line, "", "")
            if sep and head.strip():
                entries.append((head.strip(), [rest.strip()]))
            else:
                entries.append((line.strip(), []))
        elif entries:
            entries[-1][1].append(line.strip())
    return [(h, " ".join(t for t in ts if t).strip()) for h, ts in entries]


def _parse_numpy(doc: str) -> ParsedDoc:
    lines = doc.splitlines()
    intro: list[str] = []
    sections: list[tuple[str | None, list[str]]] = []
    i = 0
    current: list[str] | None = None
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and re.match(r"^\s*-{3,}\s*$", nxt):
            kind = _GOOGLE_SECTIONS.get(line.strip().lower())
            if kind is None:
                # A section llmctl does not parse (Notes, Examples, See Also) stays in the description.
                current = None
                intro += [line, nxt]
            else:
                current = []
                sections.append((kind, current))
            i += 2
            continue
        (intro if current is None else current).append(line)
        i += 1
    summary, description = _summary_and_description("\n".join(intro))
    out = ParsedDoc(summary=summary, description=description, style="numpy")
    for kind, body in sections:
        if kind is None:
            continue
        for head, text in _entries(_dedent_block(body), split_colon=False):
            name, _, typ = head.partition(":")
            name, typ = name.strip(), typ.strip() or None
            if kind == "params":
                for one in name.split(","):
                    out.params.append(DocItem(name=one.strip().lstrip("*"), type=typ, description=text))
            elif kind == "returns":
                # NumPy allows "name : type" or just "type".
                out.returns = DocItem(name=name if typ else None, type=typ or name, description=text)
            else:
                out.raises.append(DocItem(name=name, type=name, description=text))
    return out


def _parse_sphinx(doc: str) -> ParsedDoc:
    intro: list[str] = []
    fields: list[list[str]] = []
    in_fields = False
    for line in doc.splitlines():
        if _SPHINX_FIELD.match(line):
            in_fields = True
            fields.append([line.strip()])
        elif in_fields and line[:1].isspace() and line.strip() and fields:
            fields[-1].append(line.strip())
        elif in_fields and line.strip().startswith(":"):
            in_fields = True  # an unknown field (:meta:, :version:) we skip
            fields.append([])
        else:
            if line.strip():
                in_fields = False
            intro.append(line)
    summary, description = _summary_and_description("\n".join(intro))
    out = ParsedDoc(summary=summary, description=description, style="sphinx")
    types: dict[str, str] = {}
    rtype: str | None = None
    for chunk in fields:
        if not chunk:
            continue
        m = _SPHINX_FIELD.match(chunk[0])
        if not m:
            continue
        tag, arg, text = m.group(1), (m.group(2) or "").strip(), " ".join([m.group(3).strip()] + chunk[1:]).strip()
        if tag in ("param", "parameter", "arg", "argument", "key", "keyword"):
            parts = arg.split()
            name = parts[-1] if parts else ""
            typ = " ".join(parts[:-1]) or None
            out.params.append(DocItem(name=name.lstrip("*"), type=typ, description=text))
        elif tag == "type":
            types[arg.lstrip("*")] = text
        elif tag in ("returns", "return"):
            out.returns = DocItem(description=text)
        elif tag == "rtype":
            rtype = text
        else:
            out.raises.append(DocItem(name=arg or None, type=arg or None, description=text))
    for item in out.params:
        if item.type is None and item.name in types:
            item.type = types[item.name]
    if rtype:
        out.returns = out.returns or DocItem()
        out.returns.type = rtype
    return out


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
        typ = None
        m = re.match(r"^\{([^}]*)\}\s*(.*)$", body)
        if m:
            typ, body = m.group(1).strip(), m.group(2)
        if tag in ("param", "arg", "argument"):
            m = re.match(r"^(\[[^\]]*\]|[\w$.]+|\.\.\.\w+)\s*(?:-\s*)?(.*)$", body, re.S)
            if not m:
                continue
            name = m.group(1).strip("[]").split("=")[0].lstrip(".")
            if "." in name:  # JSDoc sub-property "opts.x": documented under its parent
                continue
            out.params.append(DocItem(name=name, type=typ, description=m.group(2).strip()))
        elif tag in ("returns", "return"):
            out.returns = DocItem(type=typ, description=body)
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
