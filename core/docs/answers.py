"""Answers the model writes: tidied to one sentence, then checked; a refused answer leaves a marked gap.

Each refusal names a way the small model was seen to be wrong on real code
(see each function's "Why"); :func:`refusal` applies them all and says which.
"""

from __future__ import annotations

import re

from llmctl.analyzers.symbols import Symbol
from llmctl.core.search.tokens import identifier_words

# A call echoed back ("BindUri(map[string, any]).", seen on gin) is code too.
_CODEY = re.compile(r"```|^\s*(def|class|return|import|from|func|fn|public|private|const|let|var)\b|[{};]\s*$|^\W*$"
                    r"|^[\w.]+\(.*\)\W*$")
_IDENT = re.compile(r"`([A-Za-z_][\w.]*)`|\b([a-z]+_[a-z0-9_]+)\b")


_PREAMBLE = re.compile(r"^(?:this|the|a)\s+(?:function|method|class|property|helper|decorator)\s+"
                       r"(?:will\s+|is\s+used\s+to\s+|can\s+be\s+used\s+to\s+|is\s+going\s+to\s+)?", re.I)


def clean_answer(raw: str, kind: str) -> str:
    """First line, first sentence, tidy punctuation."""
    text = raw.strip().splitlines()[0].strip() if raw.strip() else ""
    text = re.sub(r"^(Summary|Parameter `?\w+`?)\s*:\s*", "", text).strip().strip('"').strip()
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z])", text)
    if m:
        text = text[:m.start()]
    if kind == "summary":
        # The small model likes "This function will return …": keep the verb phrase.
        text = _PREAMBLE.sub("", text, count=1)
        if text and text[-1] not in ".!?":
            text += "."
    return text[:1].upper() + text[1:] if kind == "summary" else text


def validate(text: str, sym: Symbol, kind: str) -> str | None:
    """None when ``text`` is acceptable prose for ``sym``, else the reason it is not."""
    if not text:
        return "empty"
    if len(text) > 200 or len(text.split()) > 40:
        return "too long"
    if len(text.split()) < 2:
        return "too short"
    if _CODEY.search(text):
        return "looks like code"
    named = kind.split(":", 1)[1] if kind.startswith("param:") else sym.name.rsplit(".", 1)[-1]
    if _content_words(text) <= set(identifier_words(named)):
        return "restates its name"  # "A LocalProtocolError." (h11): says nothing the heading does not
    allowed = {p.name for p in sym.params} | {sym.name} | set(sym.name.split("."))
    for m in _IDENT.finditer(text):
        ident = m.group(1) or m.group(2)
        if ident.split(".")[0] not in allowed and ident not in allowed:
            return f"names `{ident}`, which the signature does not have"
    return None


_ANSWER = re.compile(r"^(?:Summary|Parameter `[^`]*`|Returns|Raises):\s*(.+)$", re.M)


def _all_but(text: str, other: str) -> bool:
    """True when ``text`` repeats ``other``, or all but (case, spacing, a final stop and a few letters aside)."""
    import difflib

    a, b = (" ".join(t.lower().split()).rstrip(".") for t in (text, other))
    return bool(b) and (a == b or difflib.SequenceMatcher(a=a, b=b).ratio() >= 0.85)


def copied(text: str, prompt: str) -> bool:
    """True when ``text`` repeats (or all but repeats) an answer the prompt's few-shot examples give.

    Why: a small base model copies an example's summary onto an unrelated
    symbol ("Get the root path of a package…" for three ``__get__`` overloads);
    the other checks pass it, because it is well-formed prose.
    """
    return any(_all_but(text, answer) for answer in _ANSWER.findall(prompt))


_CALLS = re.compile(r"^Calls `([^`]*)`: (.+)$", re.M)


def repeats_callee(text: str, prompt: str, name: str) -> bool:
    """True when ``text`` (all but) repeats the summary of a callee the prompt names, one named otherwise than ``name``.

    Why: javapoet's ``beginControlFlow``, ``nextControlFlow`` and ``endControlFlow`` call
    ``add`` and got its summary, "Add code with positional or relative arguments.". A
    callee of the same name (an overload the method forwards to) may say the same.
    """
    return any(callee.rsplit(".", 1)[-1] != name and _all_but(text, summary) for callee, summary in _CALLS.findall(prompt))


_INNER_DOC = re.compile(r'/\*\*(.*?)\*/|"""(.*?)"""|\'\'\'(.*?)\'\'\'', re.S)


def repeats_member(text: str, prompt: str) -> bool:
    """True when ``text`` (all but) repeats a sentence of a doc comment inside the prompt's code: a member's, not the whole's.

    Why: ky's ``Progress`` type got its first field's doc, "The number of bytes transferred
    so far.", and ``RetryOptions`` its ``limit``'s, "The number of times to retry failed
    requests." (the symbol's own doc comment is stripped from the code; inner ones stay).
    """
    for m in _INNER_DOC.finditer(prompt.rsplit("\nCode:\n", 1)[-1]):
        body = " ".join(ln.strip().lstrip("*").strip() for ln in next(g for g in m.groups() if g is not None).splitlines())
        if any(_all_but(text, sentence) for sentence in re.split(r"(?<=[.!?])\s+", body)):
            return True
    return False


_CONTEXT = re.compile(r"^(?:Module|Class) `[^`]*`: (.+)$", re.M)
_FILLER = frozenset("a an the of to for and or in on by with this that is are be it its from as".split())


def _content_words(text: str) -> set[str]:
    """The words of ``text`` that say something, identifiers split (``LocalProtocolError``: local, protocol, error)."""
    return {w for token in re.findall(r"[A-Za-z0-9_]+", text) for w in identifier_words(token) if w not in _FILLER}


def echoes_context(text: str, prompt: str) -> bool:
    """True when every word of ``text`` that says something comes from the prompt's module or class line.

    Why: told ``Class `IRoutes`: IRoutes defines all router handle interface.``, the
    adapter wrote "A router handle interface." for eleven of gin's route methods
    (context.py); the answer is about the class, not the method. All but one word counts
    too: told ``Module `jinja2.parser`: Parse tokens from the lexer into nodes for the
    compiler.``, it wrote "Parse all tokens from the lexer into nodes for the compiler." and
    "Parse a token from the lexer into a node." for ``parse_and``, ``parse_postfix``, ….
    """
    words = _stems(text)
    for line in _CONTEXT.findall(prompt):
        said = _stems(line)
        if (len(words) >= 2 and words <= said) or (len(words & said) >= 3 and len(words - said) <= 1):
            return True  # all of it, or all but one word ("Parse all tokens from the lexer into nodes …")
    return False


def _stems(text: str) -> set[str]:
    """Content words with a plural's "s" dropped (token and tokens are one word here)."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _content_words(text)}


def refusal(text: str, sym: Symbol, kind: str, prompt: str) -> str | None:
    """None when ``text`` may stand as ``sym``'s ``kind`` ("summary" or a parameter field), asked with
    ``prompt``; else the reason it is refused."""
    return (validate(text, sym, kind) or ("repeats an example" if copied(text, prompt) else None)
            or ("repeats its class or module" if echoes_context(text, prompt) else None)
            or ("repeats a callee" if kind == "summary" and repeats_callee(text, prompt, sym.name) else None)
            or ("repeats a member's doc" if kind == "summary" and repeats_member(text, prompt) else None))
