"""Model-written prose for docs: what is missing, few-shot prompts, cache (answers.py checks the answers).

The model writes only two things (DESIGN.md: facts from the code, prose from
the model): a one-sentence summary for a public symbol without a doc comment,
and a description for each parameter the doc comment does not describe.
Prompts are few-shot with the repository's own best doc comments, nearest by
name and parameters, so the prose matches the house style. Answers are
validated; a bad one is retried once, then the gap stays marked. Results, gaps
included, are cached by (model identity, prompt template hash, symbol hashes),
so an unchanged repository asks the model nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from llmctl.analyzers.symbols import CALLABLE_KINDS, MODULE, RECEIVER, VARIABLE, Symbol
from llmctl.core.docs.task import PROMPT_VERSION, trim_code
from llmctl.core.search.chunks import strip_doc
from llmctl.core.search.tokens import identifier_words

_SELF = frozenset({"self", "cls", "this"})


def name_words(name: str) -> list[str]:
    """``parse_HTTPHeader`` -> ["parse", "http", "header"] (the project's one splitter, search/tokens.py)."""
    return identifier_words(name)


def api_params(sym: Symbol) -> list:
    """Parameters a reader passes: no receivers, no ``self``/``cls`` of methods."""
    out = []
    for i, p in enumerate(sym.params):
        if p.kind == RECEIVER or (i == 0 and sym.kind == "method" and p.name in _SELF):
            continue
        out.append(p)
    return out


SUMMARY = "(summary)"  # in a symbol's map of descriptions from elsewhere (forward.py): the summary it inherits


def described_params(sym: Symbol) -> dict[str, str]:
    """The parameters the doc comment describes: name (without ``*``) -> description on one line."""
    return {d.name.lstrip("*"): " ".join(d.description.split()) for d in sym.doc.params if d.name and d.description}


@dataclass
class Request:
    """One piece of prose to write: a summary, or one parameter's description."""

    symbol: Symbol
    field: str  # "summary" or "param:<name>"
    key: str = ""
    prompt: str = ""

    @property
    def param(self) -> str | None:
        """The parameter name for a parameter request."""
        return self.field.split(":", 1)[1] if self.field.startswith("param:") else None

    @property
    def lead(self) -> str:
        """The words the answer is made to start with ("" for none): see :func:`lead_for`."""
        name = self.param
        return lead_for(next((p for p in self.symbol.params if p.name == name), None)) if name else ""


_BOOL_TYPES = frozenset({"bool", "boolean", "Boolean", "bool | None", "None | bool", "Optional[bool]",
                         "typing.Optional[bool]", "t.Optional[bool]"})


def lead_for(param) -> str:
    """``"Whether"`` for a boolean parameter (by its annotation or its True/False default), else "".

    Why: the model describes a flag as a thing ("The trust env to use.", "The http1 proxy to
    use." for httpx's ``http1: bool``); an answer made to start "Whether" reads as the
    condition the flag is ("Whether to use HTTP/1.1.").
    """
    if param is None:
        return ""
    boolean = (param.annotation or "").strip() in _BOOL_TYPES or (param.default or "") in ("True", "False", "true", "false")
    return "Whether" if boolean else ""


# Python's special methods are what the syntax that calls them says: a fact, not prose. Read by
# hand on httpx, the model wrote a summary for 15 of them and got 4 wrong ("Set a cookie value by
# name." for Cookies.__init__, "Return the number of items in this URL." for QueryParams.__len__).
_CALLED_BY = {
    "__init__": "{C}(...)", "__new__": "{C}(...)", "__call__": "{o}(...)", "__len__": "len({o})",
    "__str__": "str({o})", "__repr__": "repr({o})", "__bytes__": "bytes({o})", "__format__": "format({o}, spec)",
    "__hash__": "hash({o})", "__bool__": "bool({o})", "__iter__": "iter({o})", "__aiter__": "aiter({o})",
    "__next__": "next({o})", "__anext__": "anext({o})", "__reversed__": "reversed({o})",
    "__contains__": "item in {o}", "__getitem__": "{o}[key]", "__setitem__": "{o}[key] = value",
    "__delitem__": "del {o}[key]", "__eq__": "{o} == other", "__ne__": "{o} != other", "__lt__": "{o} < other",
    "__le__": "{o} <= other", "__gt__": "{o} > other", "__ge__": "{o} >= other", "__enter__": "with {o}:",
    "__exit__": "with {o}:", "__aenter__": "async with {o}:", "__aexit__": "async with {o}:",
    "__getstate__": "pickle.dumps({o})", "__setstate__": "pickle.loads(...)", "__copy__": "copy.copy({o})",
    "__deepcopy__": "copy.deepcopy({o})", "__getattr__": "{o}.name", "__setattr__": "{o}.name = value",
    "__delattr__": "del {o}.name", "__dir__": "dir({o})", "__fspath__": "os.fspath({o})", "__int__": "int({o})",
    "__float__": "float({o})", "__index__": "operator.index({o})", "__abs__": "abs({o})", "__neg__": "-{o}",
    "__round__": "round({o})", "__await__": "await {o}", "__add__": "{o} + other", "__sub__": "{o} - other",
    "__mul__": "{o} * other", "__truediv__": "{o} / other", "__and__": "{o} & other", "__or__": "{o} | other",
    "__radd__": "other + {o}", "__iadd__": "{o} += other", "__ior__": "{o} |= other",
    "__class_getitem__": "{C}[...]",
}
# Java's Object methods mean what the JDK's doc says (Javadoc copies it into an override that has
# none); the model gave javapoet's JavaFile.hashCode "Returns the hash code of the file's contents.".
_OBJECT_METHODS = {"equals": "indicates whether some other object is equal to this one",
                   "hashCode": "returns a hash code value for the object",
                   "toString": "returns a string representation of the object"}


def implemented_trait(sym: Symbol) -> str | None:
    """The trait a Rust method's ``impl`` block implements, as written (``fmt::Debug``), from the analyzer's
    ``impl Trait`` attribute; None for an inherent method or another language."""
    return next((d[5:] for d in sym.decorators if d.startswith("impl ")), None) if sym.language == "rust" else None


def called_by(sym: Symbol) -> str | None:
    """The summary of an undocumented method whose meaning the language fixes, else None.

    A Python special method: the syntax that calls it (``Called by `len(headers)`.``).
    A JavaScript/TypeScript constructor: ``Called by `new HTTPError(...)`.``
    A Java override of ``Object.hashCode``/``equals``/``toString``: what the JDK says of it.
    A Rust trait implementation: the trait (``Implements `fmt::Debug` for `DirEntry`.``);
    on walkdir and anyhow the model wrote "Write a string to the file." for a ``Debug::fmt``
    and "Return the next item in the chain." for a ``next_back``.
    """
    if sym.kind != "method" or not sym.parent:
        return None
    cls = sym.parent.rsplit(".", 1)[-1]
    if sym.language == "rust":
        trait = implemented_trait(sym)
        return f"Implements `{trait}` for `{cls}`." if trait else None
    if sym.language == "java" and sym.name in _OBJECT_METHODS and "Override" in sym.decorators:
        return f"Overrides `Object.{sym.name}`: {_OBJECT_METHODS[sym.name]}."
    if sym.language in ("javascript", "typescript") and sym.name == "constructor":
        # ky's HTTPError constructor got "Raise an HTTP error if the response has a non-2xx status code."
        return f"Called by `new {cls}(...)`."
    if sym.language != "python" or sym.name not in _CALLED_BY:
        return None
    form = _CALLED_BY[sym.name].format(C=cls, o="_".join(name_words(cls)) or "obj")
    return f"Called by `{form}`."


def protocol_method(sym: Symbol) -> bool:
    """A Python ``__dunder__`` method that :func:`called_by` has no syntax for: mostly a library's own protocol
    (rich's ``__rich_console__``, ``__rich_measure__``), which means what that protocol says, not what the
    code shows; the model guessed 3 of rich's 8 wrong ("Returns a string representation of the color." for
    ``__rich_repr__``), so nothing is asked."""
    return (sym.language == "python" and sym.kind == "method" and sym.name.startswith("__") and sym.name.endswith("__")
            and sym.name not in _CALLED_BY)


def needs(sym: Symbol, generate: str, known: frozenset[str] | set[str] = frozenset()) -> list[Request]:
    """What the model should write for ``sym`` under docs.generate = all|summaries|none.

    ``known``: what is described without the model: parameters (forward.py: what a callee says of
    them) and ``SUMMARY`` (inherit.py: what the method it overrides says).
    """
    if generate == "none" or sym.kind in (MODULE, VARIABLE):
        return []  # a module variable shows its value and its own doc, if any: nothing to ask
    out: list[Request] = []
    if not sym.doc.summary and SUMMARY not in known and not called_by(sym) and not protocol_method(sym):
        out.append(Request(sym, "summary"))
    if generate == "all" and sym.kind in CALLABLE_KINDS:
        described = {p.name.lstrip("*") for p in sym.doc.params if p.description} | set(known)
        out += [Request(sym, f"param:{p.name}") for p in api_params(sym) if p.name not in described]
    return out


# -- few-shot examples from the repository ------------------------------------------------

@dataclass
class Example:
    """A documented callable used to show the model the house style."""

    symbol: Symbol
    words: frozenset[str]
    code: str
    summary: str
    params: list[tuple[str, str]]


def body_of(sym: Symbol, root: Path, lines_of: dict[str, list[str]] | None = None) -> str:
    """``sym``'s source without its doc comment, removed as `train data` removes it from its pairs (one
    prompt for both); ``lines_of``: file lines already read, by path, filled as files are read."""
    lines_of = {} if lines_of is None else lines_of
    if sym.path not in lines_of:
        try:
            lines_of[sym.path] = (root / sym.path).read_text("utf-8", "replace").splitlines()
        except OSError:
            lines_of[sym.path] = []
    text = "\n".join(lines_of[sym.path][sym.line - 1:sym.end_line])
    return strip_doc(text, sym.doc_raw.strip()) if sym.doc_raw else text


def code_excerpt(sym: Symbol, root: Path, lines_of: dict[str, list[str]] | None = None) -> str:
    """The symbol's source (doc comment removed), trimmed for a prompt (core/docs/task.py)."""
    return trim_code(body_of(sym, root, lines_of) or sym.signature)


def _words(sym: Symbol) -> frozenset[str]:
    return frozenset(name_words(sym.name) + [w for p in api_params(sym) for w in name_words(p.name)])


def build_examples(symbols: list[Symbol]) -> list[Example]:
    """Examples from well-documented public callables: summary plus described parameters."""
    out: list[Example] = []
    for s in symbols:
        if s.kind not in CALLABLE_KINDS or not s.is_public or not s.doc.summary:
            continue
        if not (12 <= len(s.doc.summary) <= 160):
            continue
        described = described_params(s)
        params = [(p.name, described[p.name]) for p in api_params(s) if 3 <= len(described.get(p.name, "")) <= 160]
        # Examples show the signature only: on 100 hidden docstrings of click/jinja2/rich
        # this scored as well as 4-8 lines of body (cosine 0.467 vs 0.438-0.461) with
        # far shorter prompts.
        out.append(Example(s, _words(s), s.signature, s.doc.summary, params[:3]))
    return out


def nearest(examples: list[Example], targets: list[Symbol], k: int) -> list[Example]:
    """The ``k`` examples closest to a group of symbols (one module's) by shared name/parameter words.

    One set per module, not per symbol: every prompt of the module then starts
    with the same text, which the server evaluates once and keeps in its KV cache.
    Same language first, examples with described parameters preferred.
    """
    if k <= 0 or not examples or not targets:
        return []
    words: set[str] = set()
    for t in targets:
        words |= _words(t)
    language = targets[0].language
    exclude = {t.id for t in targets}

    def score(ex: Example) -> tuple:
        return (-(ex.symbol.language == language), -len(words & ex.words), -bool(ex.params), ex.symbol.id)

    picked = [ex for ex in sorted(examples, key=score) if ex.symbol.id not in exclude][:k]
    return list(reversed(picked))  # the closest example last, nearest the question


# -- cache ----------------------------------------------------------------------------------

def request_key(identity: str, template_text: str, req: Request) -> str:
    """Cache key: model identity, prompt template and version, symbol hashes, and what is asked."""
    s = req.symbol
    asked = req.field + (f"\x1f{req.lead}" if req.lead else "")
    raw = "\x1f".join([identity, hashlib.sha256(template_text.encode()).hexdigest(), str(PROMPT_VERSION), s.id,
                       s.sig_hash, s.doc_hash, s.body_hash, asked])
    return hashlib.sha256(raw.encode()).hexdigest()


class ProseCache:
    """Generated prose by request key (SQLite beside the symbol store). ``text`` None = a gap.

    Each answer keeps the model's confidence in it (mean token log-probability,
    None when the server gave none): ``docs.min_confidence`` is applied when the
    answer is read, so changing it needs no model call.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        try:
            self._schema()
        except sqlite3.DatabaseError:
            # A damaged cache is only lost work: start it again.
            self.conn.close()
            path.unlink(missing_ok=True)
            self.conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self._schema()

    def _schema(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS prose(key TEXT PRIMARY KEY, text TEXT, model TEXT, confidence REAL)")
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(prose)")}
        if "confidence" not in columns:  # a cache from before the confidence gate: its answers stay
            self.conn.execute("ALTER TABLE prose ADD COLUMN confidence REAL")
        self.conn.execute("SELECT key, text, model, confidence FROM prose LIMIT 1").fetchall()

    def get(self, key: str) -> tuple[bool, str | None, float | None]:
        """(found, text, confidence) for a key."""
        row = self.conn.execute("SELECT text, confidence FROM prose WHERE key=?", (key,)).fetchone()
        return (row is not None, row[0] if row else None, row[1] if row else None)

    def put(self, key: str, text: str | None, model: str, confidence: float | None = None) -> None:
        """Remember an answer (or a gap) at once, so a crash loses nothing done."""
        self.conn.execute("INSERT OR REPLACE INTO prose VALUES (?,?,?,?)", (key, text, model, confidence))

    def close(self) -> None:
        """Close the database."""
        self.conn.close()
