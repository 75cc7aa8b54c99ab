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
    # Lines that start with `*` lose it; lines without (jsoup writes its text so, its `* @param` tags not) are
    # dedented by their own common indentation: four leading spaces would make a Markdown code block.
    starred = [bool(re.match(r"^\s*\*", ln)) for ln in text.splitlines()]
    lines = [re.sub(r"^\s*\*( ?)", "", ln) for ln in text.splitlines()]
    bare = _dedent_block([ln for ln, star in zip(lines, starred) if not star])
    lines = [ln if star else bare.pop(0) for ln, star in zip(lines, starred)]
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


_INLINE_TAG = re.compile(r"\{@(\w+)\s*([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_HTML_CODE = re.compile(r"<(code|tt)>([^\n]*?)</\1>", re.I)
# HTML that reads as Markdown: paragraphs, list items and table rows as lines, headings and emphasis.
_HTML_MD = [
    (re.compile(r"<p\b[^>]*>", re.I), "\n\n"), (re.compile(r"<br\s*/?>", re.I), "\n"),
    (re.compile(r"<li\b[^>]*>", re.I), "\n- "), (re.compile(r"<tr\b[^>]*>", re.I), "\n- "),
    (re.compile(r"</t[dh]>\s*<t[dh]\b[^>]*>", re.I), " — "),
    (re.compile(r"<h\d\b[^>]*>(.*?)</h\d>", re.I | re.S), r"\n\n**\1**\n\n"),
    (re.compile(r"<(b|strong)>([^<\n]+)</\1>", re.I), r"**\2**"), (re.compile(r"<(i|em)>([^<\n]+)</\1>", re.I), r"*\2*"),
]


def _html(text: str) -> str:
    """HTML between inline tags as Markdown, what has no Markdown form dropped."""
    for pattern, repl in _HTML_MD:
        text = pattern.sub(repl, text)
    return re.sub(r"</?[a-zA-Z][^<>]*>", "", text)


_PRE = re.compile(r"<pre>\s*(?:\{@code[ \t]*\n?(?P<code>.*?)\}\s*|(?P<raw>.*?))</pre>", re.S | re.I)


def _fenced(m: re.Match) -> str:
    """A ``<pre>`` block (``<pre>{@code …}</pre>``, Javadoc's code example) as a fenced block."""
    import html
    import textwrap

    body = m.group("code") if m.group("code") is not None else re.sub(r"</?[a-zA-Z][^<>]*>", "", m.group("raw"))
    body = textwrap.dedent(html.unescape(body).replace("{@literal ", "{").strip("\n"))
    fence = "```" if "```" not in body else "~~~"
    return f"\n\n{fence}\n{body.rstrip()}\n{fence}\n\n"


def _link_parts(body: str) -> tuple[str, str]:
    """``Foo#bar(int, String) the label`` -> (``Foo#bar(int, String)``, ``the label``): the target ends at the
    first space outside its parentheses."""
    depth = 0
    for i, ch in enumerate(body):
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        if ch == " " and depth == 0:
            return body[:i], body[i + 1:].strip()
    return body, ""


def inline_tags(text: str, html: bool = True) -> str:
    """Javadoc's and JSDoc's inline tags (and with ``html``, Javadoc's HTML) as Markdown: ``{@code x}`` and
    ``<code>x</code>`` -> `` `x` ``,
    ``{@link Foo#bar(int) label}`` -> ``label``, ``{@link #bar(int)}`` -> `` `bar(int)` ``; other HTML tags dropped.

    Why: jsoup's pages showed "use #connect(String) instead" and, in parameter tables, "{@code http}" raw.
    """
    def tag(m: re.Match) -> str:
        name, body = m.group(1), " ".join(m.group(2).split())
        body = inline_tags(body, html) if "{@" in body else body  # {@code E {@literal >} F}
        if name in ("code", "literal", "value"):
            return f"`{body}`" if name != "literal" and body else body
        if name in ("link", "linkplain", "see"):
            target, label = _link_parts(body)
            if target.startswith(("http://", "https://")):
                return f"[{label}]({target})" if label else target
            if label:
                return label
            shown = target.lstrip("#").replace("#", ".")
            return f"`{shown}`" if name != "linkplain" else shown
        return "" if name in ("inheritDoc", "docRoot") else body
    if html:
        text = _PRE.sub(_fenced, text)
        text = _HTML_CODE.sub(lambda m: "{@code " + m.group(2).strip() + "}", text)
    between = _html if html else (lambda t: t)
    out, at = [], 0
    for m in _INLINE_TAG.finditer(text):  # HTML is read between tags, never inside one ({@code List<T>})
        out += [between(text[at:m.start()]), tag(m)]
        at = m.end()
    return "".join(out + [between(text[at:])])


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
    # Javadoc writes HTML; JSDoc writes Markdown, whose examples may hold HTML (express: res.send('<p>…</p>')).
    html = style == "javadoc"
    summary, description = _summary_and_description(inline_tags("\n".join(intro), html))
    out = ParsedDoc(summary=summary, description=description, style=style)
    for tag, parts in tags:
        body = " ".join(p for p in parts if p).strip()
        typ, body = _braced_type(body)
        body = inline_tags(body, html)
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
