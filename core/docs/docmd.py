"""Doc comments rendered as Markdown: reST and Sphinx, Google/NumPy sections, Javadoc, rustdoc, Go doc.

Pasted raw, a docstring's ``:meth:`x```, ``.. versionadded::`` or
``Example::`` block shows up as noise on a Markdown page. :func:`to_markdown`
turns roles into code spans (linked to the symbol's section when
``link(name)`` knows one), directives into admonition blockquotes, version
notes or fenced code, literal and doctest blocks into fenced code with the
right language, and NumPy/Google section titles into bold headings. Text that
is already Markdown (rustdoc) keeps its form; only intra-doc links and
fence languages change.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Link = Callable[[str], "str | None"]

_ROLE = re.compile(r":(?:[a-z]+:)?(?P<role>[a-z]+):`(?P<body>[^`]+)`")
_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\.\s+(?P<name>[\w:-]+)::\s*(?P<arg>.*)$")
_COMMENT = re.compile(r"^\s*\.\.(\s+_[^:]+:.*|\s*)$")
_FIELD_META = re.compile(r"^\s*:(meta|orphan|nocomments)\b[^:]*:.*$")
_UNDERLINE = re.compile(r"^\s*([-=~^])\1{2,}\s*$")
_GOOGLE_TITLE = re.compile(r"^(?P<title>[A-Z][A-Za-z ]{1,30}):\s*$")
_ADMONITIONS = {"note", "warning", "tip", "important", "attention", "caution", "danger", "hint", "error",
                "seealso", "todo", "see"}
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "doctest", "testcode", "testsetup", "ipython", "math"}
_VERSION = {"versionadded": "New in version", "versionchanged": "Changed in version", "deprecated": "Deprecated since version"}


def to_markdown(text: str, language: str, style: str, link: Link | None = None) -> str:
    """``text`` (a doc comment's description) as Markdown for a page."""
    if not text.strip():
        return ""
    link = link or (lambda _name: None)
    if language == "python":
        out = _rest(text.splitlines(), link, "python")
    elif language == "rust":
        out = _rustdoc(text, link)
    elif language == "go":
        out = _indented_code(text.splitlines(), "go")
    else:  # Javadoc, JSDoc: fenced examples (from <pre>, analyzers/doccomments.py) are left as they are
        parts = re.split(r"(^(?:```|~~~)[^\n]*\n.*?^(?:```|~~~)[ \t]*$)", text, flags=re.S | re.M)
        out = "".join(p if i % 2 else _inline(p, link) for i, p in enumerate(parts))
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def inline_markdown(text: str, language: str, link: Link | None = None) -> str:
    """One line of doc text (a parameter or return description) as Markdown: roles and literals only."""
    text = " ".join(text.split())
    if language != "python" or not text:
        return text
    return _inline(text, link or (lambda _name: None))


def _code_span(name: str, link: Link) -> str:
    url = link(name)
    return f"[`{name}`]({url})" if url else f"`{name}`"


def _inline(line: str, link: Link) -> str:
    """Roles, double-backtick literals and reST links on one line of running text."""
    def role(m: re.Match) -> str:
        body = m.group("body").strip()
        named = re.match(r"^(.*?)\s*<([^>]+)>$", body)
        if named:
            return named.group(1) if m.group("role") in ("ref", "doc") else _code_span(named.group(2), link)
        if m.group("role") in ("ref", "doc", "term", "abbr", "dfn", "rfc", "pep"):
            return body.lstrip("~")
        short = body.lstrip("~!")
        shown = short.rsplit(".", 1)[-1] if body.startswith("~") else short
        url = link(short)
        return f"[`{shown}`]({url})" if url else f"`{shown}`"

    line = _ROLE.sub(role, line)
    line = re.sub(r"`([^`<]+?)\s*<(https?://[^>]+)>`__?", r"[\1](\2)", line)
    line = re.sub(r"``([^`]+)``", r"`\1`", line)
    line = re.sub(r"(?<![`\w])`([^`]+)`_(?!\w)", r"\1", line)
    return line


def _block(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The lines indented deeper than ``indent`` from ``start`` (blank lines inside kept), and where they end."""
    out: list[str] = []
    i = start
    while i < len(lines):
        ln = lines[i]
        if ln.strip() and len(ln) - len(ln.lstrip()) <= indent:
            break
        out.append(ln)
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return _dedent(out), i


def _dedent(lines: list[str]) -> list[str]:
    widths = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]
    cut = min(widths) if widths else 0
    return [ln[cut:] for ln in lines]


def _fence(lines: list[str], lang: str) -> list[str]:
    body = [ln for ln in lines]
    while body and not body[0].strip():
        body.pop(0)
    return ["", f"```{lang}", *body, "```", ""]


def _quote(title: str, lines: list[str], link: Link, lang: str) -> list[str]:
    inner = _rest(lines, link, lang).strip().splitlines()
    out = ["", f"> **{title}**" + (f" {inner[0]}" if inner and inner[0] and not inner[0].startswith("```") else "")]
    rest = inner[1:] if inner and inner[0] and not inner[0].startswith("```") else inner
    out += [f"> {ln}".rstrip() for ln in rest]
    return out + [""]


def _directive(m: re.Match, body: list[str], link: Link, lang: str) -> list[str]:
    name, arg = m.group("name").lower(), m.group("arg").strip()
    # A directive's options (``:caption: x``) go; a line that starts with a role (``:data:`SERVER_NAME` does
    # not…``, Flask's versionadded note) is its text.
    body = [ln for ln in body if not re.match(r"^\s*:[\w-]+:(?:\s|$)", ln) or ln.strip().startswith(":param")]
    if name in _CODE_DIRECTIVES:
        return _fence(body, "python" if name in ("doctest", "testcode", "testsetup", "ipython") else (arg or lang))
    if name in _VERSION:
        text = _rest(body, link, lang).strip().replace("\n", " ")
        note = f"*{_VERSION[name]} {arg}*" + (f": {text}" if text else ".")
        return ["", f"> **Deprecated.** {note}" if name == "deprecated" else note, ""]
    if name in _ADMONITIONS:
        title = {"seealso": "See also", "see": "See also", "todo": "To do"}.get(name, name.capitalize())
        return _quote(title + ":", ([arg] if arg else []) + body, link, lang)
    if name == "admonition":
        return _quote(arg, body, link, lang)
    return []  # autodoc, image, toctree, …: nothing a reader of this page needs


# long: one cursor over the lines, one branch per block kind; split up, each piece would need the cursor back.
def _rest(lines: list[str], link: Link, lang: str) -> str:
    """reST and Google/NumPy docstring text as Markdown (a small block-level converter)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped.startswith(("```", "~~~")):
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(stripped[:3]):
                j += 1
            out += [ln[indent:] for ln in lines[i:j + 1]]
            i = j + 1
            continue
        m = _DIRECTIVE.match(line)
        if m:
            body, i = _block(lines, i + 1, indent)
            out += _directive(m, body, link, lang)
            continue
        if _COMMENT.match(line) and stripped.startswith(".."):
            _, i = _block(lines, i + 1, indent)
            continue
        if _FIELD_META.match(line):
            i += 1
            continue
        if stripped.startswith(">>>"):
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            out += _fence([ln[indent:] for ln in lines[i:j]], "python")
            i = j
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if stripped and _UNDERLINE.match(nxt) and len(nxt.strip()) >= len(stripped) - 1:
            out += ["", f"**{_inline(stripped, link)}**", ""]
            i += 2
            continue
        g = _GOOGLE_TITLE.match(stripped)
        if g and indent == 0 and nxt.strip() and len(nxt) - len(nxt.lstrip()) > 0:
            body, i = _block(lines, i + 1, 0)
            out += ["", f"**{g.group('title')}**", "", _rest(body, link, lang), ""]
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            text = stripped[:-2].rstrip()
            if text:
                out.append(_inline(text + ":", link))
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and len(lines[j]) - len(lines[j].lstrip()) > indent:
                body, i = _block(lines, j, indent)
                out += _fence(body, lang)
                continue
            i += 1
            continue
        if indent >= 4 and stripped and (not out or not out[-1].strip()):
            # An indented block after "Example usage:" (one colon, no reST ``::``) is code when it reads
            # as code (httpx's transports); else a stray indented paragraph, which would render as code.
            said = next((ln for ln in reversed(out) if ln.strip()), "")
            body, j = _block(lines, i, indent - 1)
            if said.rstrip().endswith(":") and _looks_like_code(body):
                out += _fence(body, lang)
                i = j
                continue
            out.append(_inline(stripped, link))
        else:
            out.append(_inline(stripped, link) if stripped else "")
        i += 1
    return "\n".join(out)


_CODE_LINE = re.compile(r"^(?:[\w.]+\s*=[^=]|[\w.]+\(|@\w|(?:import|from|with|def|class|for|if|return|print|await|async|"
                        r"const|let|var)\b)")
_LIST_ITEM = re.compile(r"^(?:[-*+]\s|\d+[.)]\s)")


def _looks_like_code(lines: list[str]) -> bool:
    """True when an indented block reads as code: a line that assigns, calls or starts a statement,
    no list item, and no line ending a sentence (measured over 4,783 docstrings of 11 packages)."""
    text = [ln.strip() for ln in lines if ln.strip()]
    return (any(_CODE_LINE.match(ln) for ln in text) and not any(_LIST_ITEM.match(ln) for ln in text)
            and not any(re.search(r"[a-z]{2}[.!?]$", ln) for ln in text))


def _rustdoc(text: str, link: Link) -> str:
    """rustdoc is Markdown already: intra-doc links become code spans, bare fences become ``rust``."""
    out: list[str] = []
    in_fence = False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("```"):
            if not in_fence:
                info = s[3:].strip()
                rust = not info or any(w in info for w in ("ignore", "no_run", "should_panic", "compile_fail", "edition"))
                line = "```rust" if rust else line
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence:
            if s.startswith("# ") or s == "#":
                continue  # hidden doctest lines
            out.append(line)
            continue
        line = re.sub(r"\[`([^`\]]+)`\](?![(\[])", lambda m: _code_span(m.group(1).replace("::", "."), link), line)
        line = re.sub(r"\[([A-Za-z_][\w:]*)\](?![(\[:])", lambda m: _code_span(m.group(1).replace("::", "."), link), line)
        out.append(line)
    return "\n".join(out)


def _indented_code(lines: list[str], lang: str) -> str:
    """Go doc comments: indented blocks are code; ``[Name]`` doc links become code spans."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith(("\t", "  ")) and lines[i].strip():
            j = i
            while j < len(lines) and (lines[j].startswith(("\t", "  ")) or not lines[j].strip()):
                j += 1
            out += _fence(_dedent([ln.replace("\t", "    ") for ln in lines[i:j]]), lang)
            i = j
            continue
        out.append(re.sub(r"\[([A-Z][\w.]*)\]", r"`\1`", lines[i]))
        i += 1
    return "\n".join(out)
