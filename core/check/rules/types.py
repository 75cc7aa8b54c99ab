"""Comparing a documented type with an annotation, as a reader would.

Both sides are normalised before they are compared: quotes, whitespace,
``typing.``/``t.`` prefixes, ``Optional[X]``/``Union[X, None]``/``X or None``
(all ``X | None``), a docstring's ``, optional`` and ``, default=…`` notes, and
the order of union members. A documented "type" that is prose (``array_like
of shape (n,)``, ``list of str``) is not comparable and never reported.
``check.type_match = "builtin"`` narrows the comparison to plain built-in
types, where an alias or class name is never reported.
"""

from __future__ import annotations

import re

_PROSE = re.compile(r"[^\w\[\],.|\s'\"()]|\b(of|or|and|like|shape|default|optional|see)\b")
_BUILTIN_TYPES = {"int": "int", "integer": "int", "str": "str", "string": "str", "float": "float", "bool": "bool",
                  "boolean": "bool", "bytes": "bytes", "list": "list", "dict": "dict", "tuple": "tuple", "set": "set",
                  "number": "number", "double": "float", "long": "int", "char": "str"}
_TYPE_WORDS = re.compile(r"[A-Za-z_][\w]*")
NOTHING = frozenset({"None", "void", "NoReturn", "Never", "()", "never", "undefined"})


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts]


_LITERAL = re.compile(r"^(?:True|False|None|-?\d+(?:\.\d+)?|'[^']*'|\"[^\"]*\")$")


def doc_type(text: str) -> tuple[str, str | None]:
    """(the type, a default it names) of a docstring type spec like ``int, optional``, ``int, default=5``
    or ``bool, False`` (a bare literal after the type is its default: rich writes them so)."""
    default = None
    keep = []
    for i, part in enumerate(_split_top(text, ",")):
        low = part.lower()
        m = re.match(r"^default(?:s)?(?:\s+to)?\s*[=:]?\s*(.+)$", part, re.I)
        if m:
            default = m.group(1).strip().strip("`")
        elif i and _LITERAL.match(part.strip("`")):
            default = part.strip("`")
        elif low not in ("optional", "keyword-only", "positional-only", "keyword only"):
            keep.append(part)
    return ", ".join(keep), default


def _notation(t: str) -> str:
    """A docstring's own ways of writing a type, as an annotation writes it: ``[Syntax]`` (rich's brackets
    round a whole type) -> ``Syntax``, ``(str, str)`` -> ``tuple[str, str]``, ``(str)`` -> ``str``, ``Sequence(Layout)`` ->
    ``Sequence[Layout]``."""
    if t.startswith("[") and t.endswith("]") and _split_top(t[1:-1], ",") == [t[1:-1].strip()] \
            and _balanced(t[1:-1]):
        return t[1:-1]
    if t.startswith("(") and t.endswith(")") and _balanced(t[1:-1]):
        inner = _split_top(t[1:-1], ",")
        return f"tuple[{t[1:-1]}]" if len(inner) > 1 else t[1:-1]
    m = re.match(r"^([A-Za-z_][\w.]*)\((.*)\)$", t)
    if m and _balanced(m.group(2)):
        return f"{m.group(1)}[{m.group(2)}]"
    return t


def _balanced(t: str) -> bool:
    depth = 0
    for ch in t:
        depth += 1 if ch in "[(" else -1 if ch in "])" else 0
        if depth < 0:
            return False
    return depth == 0


def normalise(text: str) -> str | None:
    """A canonical form of a type, or None when the text is prose rather than a type."""
    t = text.strip().strip("`").replace('"', "").replace("'", "")
    t = re.sub(r"\s+or\s+None$", " | None", t)
    if re.search(r"[A-Za-z0-9_]\s+[A-Za-z_]", re.sub(r"\[.*\]", "", t).replace(" or ", " | ")):
        return None  # words side by side outside brackets: a description ("positional args"), not a type
    if not t or _PROSE.search(re.sub(r"\s+or\s+", "|", t).replace("default=", "")):
        return None
    t = re.sub(r"\s+or\s+", "|", t)
    t = re.sub(r"\b(typing|t|typing_extensions|collections\.abc)\.", "", t)
    t = re.sub(r"\s+", "", t)
    t = _expand(_notation(t))
    return t


def _expand(t: str) -> str:
    """``Optional[X]`` -> ``X|None``, ``Union[A,B]`` -> ``A|B``, members sorted; recursively inside brackets."""
    m = re.match(r"^(Optional|Union)\[(.*)\]$", t)
    if m:
        inner = _split_top(m.group(2), ",")
        members = inner + (["None"] if m.group(1) == "Optional" else [])
        return "|".join(sorted({_expand(x) for x in members}))
    if "|" in t and "[" not in t.split("|")[0] or len(_split_top(t, "|")) > 1:
        members = _split_top(t, "|")
        if len(members) > 1:
            return "|".join(sorted({_expand(x) for x in members}))
    m = re.match(r"^([\w.]+)\[(.*)\]$", t)
    if m:
        name = {"List": "list", "Dict": "dict", "Tuple": "tuple", "Set": "set", "FrozenSet": "frozenset",
                "Type": "type"}.get(m.group(1), m.group(1))
        return f"{name}[{','.join(_expand(x) for x in _split_top(m.group(2), ','))}]"
    return {"List": "list", "Dict": "dict", "Tuple": "tuple", "Set": "set", "boolean": "bool", "integer": "int",
            "string": "str"}.get(t, t)


def plain_type(text: str) -> str | None:
    """The built-in type a simple annotation or doc type names, else None (unions, generics, aliases)."""
    words = [w.lower() for w in _TYPE_WORDS.findall(text)]
    words = [w for w in words if w not in ("optional", "none", "default")]
    if len(words) != 1:
        return None
    return _BUILTIN_TYPES.get(words[0])


_KNOWN_NAMES = frozenset(
    "int float str bytes bool complex list dict tuple set frozenset type object None Any Callable Iterable "
    "Iterator Generator Sequence Mapping MutableMapping MutableSequence Literal Union Optional Awaitable "
    "Coroutine AsyncIterator AsyncIterable AsyncGenerator bytearray memoryview range slice Path".split())


def _names(t: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][\w.]*", t))


def _without_none(t: str) -> str:
    members = [m for m in _split_top(t, "|") if m != "None"]
    return "|".join(members) if members else t


def disagree(documented: str, annotated: str, mode: str, strip_defaults: bool = True) -> bool:
    """True when a documented type and an annotation name different types (never for prose).

    ``mode``: ``"builtin"`` compares plain built-in types only; ``"exact"`` compares whole
    types, but not when the annotation uses a name the doc does not (it may be an alias
    of the documented type: ``JustifyMethod`` for ``str``), and reads ``X, optional`` as
    allowing ``X | None``; ``"strict"`` compares the normalised texts, as pydoclint does.
    ``strip_defaults``: read ``int, default=5`` as ``int`` (else the note makes it another type).
    """
    if mode == "builtin":
        a, b = plain_type(annotated), plain_type(documented)
        return bool(a and b and a != b and {a, b} not in ({"int", "float"}, {"int", "number"}, {"float", "number"}))
    optional = bool(re.search(r",\s*optional\b", documented, re.I))
    doc = doc_type(documented)[0] if strip_defaults else documented.replace(" ", "")
    a, b = normalise(annotated), normalise(doc)
    if a is None or b is None or a == b:
        return False
    if mode == "strict":
        return True
    # Not contradictions: a doc that leaves out None (or says "optional"), a bare generic
    # (`Callable` for `Callable[[Any], Any]`), an annotation that accepts anything.
    a, b = _without_none(a), _without_none(b)
    if a == b or a in ("Any", "object") or re.sub(r"\[.*?\]$", "", a) == b and "[" not in b:
        return False
    del optional
    unknown = _names(a) - _names(b) - _KNOWN_NAMES
    return not unknown


def yield_type(annotation: str) -> str | None:
    """The element type of a generator annotation (``Iterator[int]``, ``Generator[int, None, None]``)."""
    t = re.sub(r"\b(typing|t|collections\.abc)\.", "", _notation(annotation.strip()))
    m = re.match(r"^(Async)?(Generator|Iterator|Iterable)\[(.*)\]$", t)
    return _split_top(m.group(3), ",")[0] if m else None


def is_generator_annotation(annotation: str | None) -> bool:
    """True for ``Generator[…]``, ``Iterator[…]``, ``Iterable[…]`` (async too), bare or subscripted."""
    if not annotation:
        return False
    t = re.sub(r"\b(typing|t|collections\.abc)\.", "", annotation.strip())
    return bool(re.match(r"^(Async)?(Generator|Iterator|Iterable)\b", t))


def nothing(annotation: str | None) -> bool:
    """True for an annotation that says "returns nothing": None, void, NoReturn, Never (qualified or not)."""
    if annotation is None:
        return False
    return annotation.strip().rsplit(".", 1)[-1] in NOTHING
