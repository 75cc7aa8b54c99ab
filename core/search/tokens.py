"""Words from identifiers and prose: the one splitter and stemmer of the project.

``parse_http_header``, ``parseHTTPHeader`` and "parsing headers" all come out
as the same words, so BM25 over code, query words against symbol names, and
the few-shot example matching of docs sync agree on what a word is.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_WORD = re.compile(r"[A-Za-z0-9]+")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have if in into is it its of on or that the this to was were will "
    "with which when where who whether not no can may should must return returns self cls none true false "
    "def function class method param value values given".split())


# Code repeats its identifiers: splitting and stemming each distinct one once, then looking
# it up, makes indexing several times faster than doing the work per occurrence.
@lru_cache(maxsize=1 << 17)
def _split(raw: str) -> tuple[str, ...]:
    return (raw,) if raw.islower() else tuple(part.lower() for part in _CAMEL.findall(raw))


def identifier_words(text: str) -> list[str]:
    """Lower-case words of ``text`` with identifiers split, unstemmed: ``parse_HTTPHeader`` -> parse http header."""
    out: list[str] = []
    for raw in _WORD.findall(text):
        out.extend(_split(raw))
    return out


def stem(word: str) -> str:
    """A light suffix strip so that "headers", "parsing" and "parsed" meet "header" and "parse"."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix in ("ies", "sses", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith("ss")):
            word = word[: len(word) - len(suffix)] + ("i" if suffix == "ies" else "ss" if suffix == "sses" else "")
            if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # "mapped" -> "map"
            break
    if word.endswith("y"):
        word = word[:-1] + "i"
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


# Left over from contractions ("don't", "it's", "we'll"): never a name.
_FRAGMENTS = frozenset("s t d m ll re ve".split())


@lru_cache(maxsize=1 << 17)
def _stemmed(raw: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _split(raw) if w not in STOPWORDS and w not in _FRAGMENTS)


def words(text: str) -> list[str]:
    """Stemmed search words of ``text``: identifiers split, stopwords and contraction fragments dropped.

    One-letter words stay: ``$L``, ``T`` and ``c *Context`` are names a query may ask for.
    """
    out: list[str] = []
    for raw in _WORD.findall(text):
        out.extend(_stemmed(raw))
    return out
