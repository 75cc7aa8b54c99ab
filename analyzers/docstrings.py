"""Python docstring parsers: raw docstring text -> :class:`ParsedDoc`, in Google, NumPy and Sphinx/reST style.

Each parser is a pure function of the cleaned docstring; the parsers of other
languages' doc comments are in :mod:`.doccomments`.
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
    "returns": "returns", "return": "returns", "yields": "yields", "yield": "yields",
    "raises": "raises", "raise": "raises", "except": "raises", "exceptions": "raises",
    "attributes": "attributes", "attribute": "attributes",
}
# "Args:", and Markdown's "**Parameters:**" (httpx), whose "**Returns:** `Response`" may go on on its line.
_GOOGLE_HEADER = re.compile(r"^\s*(?:([A-Za-z][A-Za-z ]*):|\*\*([A-Za-z][A-Za-z ]*)(?::\*\*|\*\*:)(.*))\s*$")
_BULLET = re.compile(r"^\s*[*-]\s+")
# A list entry after its bullet: "**url** - URL for the new `Request`.", "`url` (str): …", "model [nn.Module]: …"
_BULLET_ENTRY = re.compile(r"^(?:\*\*|``?)?(\*{0,2}[\w.]+)(?:\*\*|``?)?\s*(?:[(\[]([^)\]]*)[)\]])?\s*(?:[-–:]\s*(.*))?$")
_NUMPY_HEADER = re.compile(r"^\s*([A-Za-z][A-Za-z ]*)\s*\n\s*-{3,}\s*$", re.M)
_SPHINX_FIELD = re.compile(
    r"^\s*:(param|parameter|arg|argument|key|keyword|type|returns?|rtype|yields?|ytype|raises?|raise|except|exception"
    r"|ivar|cvar|var|vartype)"
    r"(?:\s+([^:]*?))?\s*:\s*(.*)$"
)


def _header(line: str) -> tuple[str, str] | None:
    """A section header's (kind, text after it on the line) — ``Args:`` or ``**Parameters:**`` — else None."""
    m = _GOOGLE_HEADER.match(line)
    if not m:
        return None
    kind = _GOOGLE_SECTIONS.get((m.group(1) or m.group(2)).strip().lower())
    return (kind, (m.group(3) or "").strip()) if kind else None


def detect_python_style(doc: str) -> str:
    """Name the docstring convention used: ``sphinx``, ``numpy``, ``google`` or ``plain``."""
    if re.search(r"^\s*:(param|parameter|arg|type|returns?|rtype|yields?|ytype|raises?|ivar|cvar)\b", doc, re.M):
        return "sphinx"
    for match in _NUMPY_HEADER.finditer(doc):
        if match.group(1).strip().lower() in _GOOGLE_SECTIONS:
            return "numpy"
    if any(_header(line) for line in doc.splitlines()):
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
    header_indent = 0
    prev = ""
    for line in lines:
        header = _header(line)
        indent = len(line) - len(line.lstrip())
        if header and indent <= 4:
            # "**Returns:** `Response`" says what it returns on its line; "**Parameters**: See
            # `httpx.request`." points elsewhere and names no parameter.
            inline = header[1].strip("`") if header[0] in ("returns", "yields") else ""
            current = [" " * (indent + 4) + inline] if inline else []
            header_indent = indent
            sections.append((header[0], current))
        elif current is None:
            intro.append(line)
        elif line.strip() and indent <= header_indent and not _in_list(line, prev, current):
            current = None  # text back at the header's indentation (Examples:, a fence, a paragraph) ends ours
            intro.append(line)
        else:
            current.append(line)
        prev = line
    summary, description = _summary_and_description("\n".join(intro))
    out = ParsedDoc(summary=summary, description=description, style="google")
    for kind, body in sections:
        body = _dedent_block(body)
        # A returns list is prose ("- If `devices` is given, a tuple …"), not names.
        for head, text in (_entries(body, split_colon=True) if kind in ("returns", "yields") else _section_entries(body)):
            if kind == "params":
                name, typ = _split_name_type(head)
                out.params.append(DocItem(name=name, type=typ, description=text))
            elif kind == "attributes":
                name, typ = _split_name_type(head)
                out.attributes.append(DocItem(name=name, type=typ, description=text))
            elif kind in ("returns", "yields"):
                # "Returns:\n    int: the count" or free text.
                if re.match(r"^[\w\[\], .|'\"]+$", head) and len(head) < 60 and (text or _looks_like_type(head)):
                    item = DocItem(type=head.strip(), description=text)
                else:
                    item = DocItem(description=(head + (" " + text if text else "")).strip())
                if kind == "returns":
                    out.returns = item
                else:
                    out.yields = item
            else:
                out.raises.append(DocItem(name=head.strip(), type=head.strip(), description=text))
    return out


def _in_list(line: str, prev: str, body: list[str]) -> bool:
    """True when ``line``, back at its section header's indentation, still belongs to the section's Markdown list.

    httpx writes ``**Parameters:**`` and then ``* **url** - …`` entries at the
    header's own indentation, their wrapped lines too: a bullet continues the
    list, and so does a line right after a list line; a blank line then other
    text ends it.
    """
    first = next((ln for ln in body if ln.strip()), line)
    return bool(_BULLET.match(first)) and bool(_BULLET.match(line) or prev.strip())


def _section_entries(body: list[str]) -> list[tuple[str, str]]:
    """A section's (head, description) entries: a Markdown list's bullets, else Google's indented entries."""
    if not _BULLET.match(next((ln for ln in body if ln.strip()), "")):
        return _entries(body, split_colon=True)
    out: list[tuple[str, list[str]]] = []
    for line in body:
        if _BULLET.match(line):
            m = _BULLET_ENTRY.match(_BULLET.sub("", line, count=1).strip())
            head = (m.group(1) + (f" ({m.group(2)})" if m.group(2) else "")) if m else line.strip()
            out.append((head, [(m.group(3) or "") if m else ""]))
        elif out and line.strip():
            out[-1][1].append(line.strip())
    return [(h, " ".join(t for t in ts if t).strip()) for h, ts in out]


def _looks_like_type(text: str) -> bool:
    """A bare ``Returns:`` entry that is a type (``int``, ``list[str]``), not a sentence."""
    t = text.strip()
    return bool(t) and " " not in t.replace(", ", ",").replace(" | ", "|") and not t.endswith(".")


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
                    out.params.append(DocItem(name=one.strip(), type=typ, description=text))
            elif kind == "attributes":
                for one in name.split(","):
                    out.attributes.append(DocItem(name=one.strip(), type=typ, description=text))
            elif kind in ("returns", "yields"):
                # NumPy allows "name : type" or just "type"; several entries are a tuple.
                item = DocItem(name=name if typ else None, type=typ or name, description=text)
                previous = out.returns if kind == "returns" else out.yields
                if previous is not None and previous.type and item.type:
                    item = DocItem(type=f"{previous.type}, {item.type}", description=previous.description)
                if kind == "returns":
                    out.returns = item
                else:
                    out.yields = item
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
    _sphinx_fields(fields, out)
    return out


def _sphinx_fields(fields: list[list[str]], out: ParsedDoc) -> None:
    types: dict[str, str] = {}
    vartypes: dict[str, str] = {}
    rtype: str | None = None
    ytype: str | None = None
    for chunk in fields:
        m = _SPHINX_FIELD.match(chunk[0]) if chunk else None
        if not m:
            continue
        tag, arg, text = m.group(1), (m.group(2) or "").strip(), " ".join([m.group(3).strip()] + chunk[1:]).strip()
        parts = arg.split()
        if tag in ("param", "parameter", "arg", "argument", "key", "keyword"):
            out.params.append(DocItem(name=parts[-1] if parts else "", type=" ".join(parts[:-1]) or None,
                                      description=text))
        elif tag == "type":
            types[arg] = text
        elif tag in ("ivar", "cvar", "var"):
            out.attributes.append(DocItem(name=parts[-1] if parts else "", type=" ".join(parts[:-1]) or None,
                                          description=text))
        elif tag == "vartype":
            vartypes[arg] = text
        elif tag in ("returns", "return"):
            out.returns = DocItem(description=text)
        elif tag == "rtype":
            rtype = text
        elif tag in ("yields", "yield"):
            out.yields = DocItem(description=text)
        elif tag == "ytype":
            ytype = text
        else:
            out.raises.append(DocItem(name=arg or None, type=arg or None, description=text))
    for item in out.params:
        if item.type is None and (item.name in types or item.name.lstrip("*") in types):
            item.type = types.get(item.name) or types.get(item.name.lstrip("*"))
    for item in out.attributes:
        if item.type is None and item.name in vartypes:
            item.type = vartypes[item.name]
    if rtype:
        out.returns = out.returns or DocItem()
        out.returns.type = rtype
    if ytype:
        out.yields = out.yields or DocItem()
        out.yields.type = ytype
