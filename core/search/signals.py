"""Ranking signals: each a named pure function with the reason it is there, and its weight.

A candidate chunk's score is the weighted sum of its signals (:func:`fuse`);
then a file's other good chunks add to it (:func:`file_aggregate`) and a
file's further chunks step back (:func:`diversify`). To add a signal: write it
here with a docstring saying why, give it a weight beside the others, use it
in :func:`fuse` (its inputs come from ``rank.Searcher._rank``), and measure
its gain with ``python bench/search_repos.py --ablate``.
"""

from __future__ import annotations

import re

from llmctl.core.globs import match as glob_match
from llmctl.core.search.chunks import DOC_KIND, FILE_KIND
from llmctl.core.search.tokens import stem, words

# Weights of the signals below: a candidate's score is their weighted sum, over the union
# of both top-CANDIDATES lists. Tuned by coordinate ascent with `python bench/search_repos.py
# --tune` on half of its 204 questions (13 repositories, 6 languages), checked on the other
# half (0.935 held-out, 0.947 tuned); beside each weight, the mean NDCG@10 lost over all
# questions when that signal alone is switched off (`--ablate`; 0.940 with all of them).
W_DENSE = 1.0  # -0.011
W_LEXICAL = 0.75  # -0.041
W_DEFINITION = 0.8  # -0.011
W_PROSE = 0.6  # -0.071
W_SECONDARY = 1.0  # -0.112
W_PATH = 1.0  # -0.012
W_FILE = 0.5  # -0.010
W_REPEAT = 0.15  # -0.005
W_WHOLE_FILE = 0.3  # 0: it orders chunks within a file, never files


# -- signals ------------------------------------------------------------------------

def lexical_signal(bm25: float, best_bm25: float) -> float:
    """BM25 relative to the query's best match, in [0, 1].

    Why: raw BM25 grows with the query's length and rare words, so on its own
    scale it would swamp or vanish against a cosine; relative to the best hit
    it says "as good a keyword match as anything here".
    """
    return bm25 / best_bm25 if best_bm25 > 0 else 0.0


def dense_signal(cosine: float, best_cosine: float) -> float:
    """Cosine relative to the query's best, in [0, 1] (negative cosines count as 0).

    Why: models differ in their cosine scale (a static model's cosines bunch
    near its mean, MiniLM's spread out), so the weights below would only hold
    for one model on the raw scale.
    """
    return max(cosine, 0.0) / best_cosine if best_cosine > 0 else 0.0


_IDENT = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*!?")


def query_identifiers(query: str) -> set[str]:
    """The terms of ``query`` that name code, as written: the whole query when it is one word, else
    identifier-shaped words, and the last part of a qualified one.

    ``ClientSession``, ``res.send`` (and ``send``), ``parse_header``, ``ensure!``
    and ``OnInitialize`` count; plain words ("the", "routes") do not unless they
    are the whole query ("Router").
    """
    terms = _IDENT.findall(query)
    if len(query.split()) == 1 and terms:
        terms = [terms[0]]
    elif terms:
        terms = [t for t in terms if any(c in t for c in "._$:#!") or any(c.isupper() for c in t[1:])]
    out = set()
    for t in terms:
        core = t.rstrip("!")
        out.add(core)
        last = re.split(r"\.|::|#", core)[-1]
        if last != core and len(last) > 2:
            out.add(last)
    return out


def definition_signal(name: str, symbol: str, kind: str, identifiers: set[str]) -> float:
    """How exactly a definition's name is a code term of the query: 1 as written, 0.5 in another case,
    0.3 when its qualified id ends with it; else 0.

    Why: "ClientSession" asks for ``class ClientSession``, not for
    ``ClientRequest.session``, which BM25 and the embedding both rate as high;
    and "Headers" asks for ``class Headers`` before a ``headers`` property.
    """
    if not identifiers or not name or kind in (DOC_KIND, FILE_KIND):
        return 0.0
    if name in identifiers:
        return 1.0
    lowered = {i.lower() for i in identifiers}
    if name.lower() in lowered:
        return 0.5
    tail = (symbol or "").lower()
    return 0.3 if any(tail.endswith(i) and len(i) > 3 for i in lowered) else 0.0


_DOC_WORDS = frozenset(stem(w) for w in (
    "doc docs documentation documented guide tutorial readme overview faq changelog migration migrate "
    "install installation explain introduction").split())


def asks_for_docs(query_words: set[str]) -> bool:
    """True when the query asks for documentation rather than code."""
    return bool(query_words & _DOC_WORDS)


def prose_signal(kind: str, docs_wanted: bool) -> float:
    """-1 for a Markdown section when the query does not ask for docs; else 0.

    Why: a README or guide paraphrases the code in the very words of the
    question, so prose outranks the implementation that answers it (35 such
    first places in the issue's benchmark); users who want prose say so, or
    pass ``--docs-only``.
    """
    return -1.0 if kind == DOC_KIND and not docs_wanted else 0.0


def secondary_signal(path: str, patterns: list[str]) -> float:
    """-1 for tests, examples, benchmarks, vendored and legacy or versioned copies; else 0.

    Why: they name the same things as the implementation and often repeat its
    words in a smaller file, so they compete on equal terms with the code that
    answers, and lose the user's time when they win.
    """
    return -1.0 if patterns and glob_match(path, patterns) else 0.0


def prefer_definitions(rows: list[tuple[float, int, str]]) -> list[tuple[float, int]]:
    """One file's candidates (score, position, kind), best first: when the file chunk leads by less than
    ``W_WHOLE_FILE``, the best other chunk takes its place and score (and the file chunk the other's).

    Why: a file chunk holds its file's first lines and names, so it matches
    about as well as the definition it contains; the definition is the more
    precise answer. Swapping inside the file leaves the file's rank as it was.
    """
    out = [(score, i) for score, i, _ in rows]
    if len(rows) > 1 and rows[0][2] == FILE_KIND:
        j = next((n for n, r in enumerate(rows) if r[2] != FILE_KIND), None)
        if j is not None and rows[0][0] - rows[j][0] < W_WHOLE_FILE:
            out[0], out[j] = (rows[0][0], rows[j][1]), (rows[j][0], rows[0][1])
    return out


def path_words(path: str) -> set[str]:
    """The search words of a file's name and its folder's name (``lib/core/mergeConfig.js`` -> merg config core)."""
    parts = path.rsplit("/", 2)
    return set(words(" ".join(parts[-2:]).rsplit(".", 1)[0]))


def path_signal(file_words: set[str], query_words: set[str]) -> float:
    """Share of the query's words that name the file or its folder, in [0, 1].

    Why: repositories name files after what they do (``bash_completions.go``,
    ``retry-timing.ts``, ``_decoders.py``); a question that uses those words is
    most likely answered by that file, even when its chunks match only in part.
    """
    if not query_words or not file_words:
        return 0.0
    hit = sum(1 for w in query_words if w in file_words or len(w) >= 4 and any(
        f.startswith(w) or w.startswith(f) for f in file_words if len(f) >= 4))
    return hit / len(query_words)


def file_aggregate(scores: list[float]) -> float:
    """A file's score from its chunks' scores (best first): the best plus a saturating share of the next ones.

    Why: a file with several good chunks is likelier to hold the answer than a
    file with one lucky chunk; the share saturates (each further chunk counts
    half the one before, at most three) so a long file does not win by length.
    """
    if not scores:
        return 0.0
    rest = [max(x, 0.0) for x in scores[1:4]]
    return scores[0] + sum(x * 0.5 ** (i + 1) for i, x in enumerate(rest)) * 0.5


def fuse(dense: float, lexical: float, definition: float = 0.0, prose: float = 0.0, secondary: float = 0.0,
         path: float = 0.0) -> float:
    """The fused score of one candidate from its chunk-level signals."""
    return (W_DENSE * dense + W_LEXICAL * lexical + W_DEFINITION * definition + W_PROSE * prose
            + W_SECONDARY * secondary + W_PATH * path)


def diversify(order: list[tuple[float, int, str]]) -> list[tuple[float, int]]:
    """Each file's n-th chunk loses ``W_REPEAT * (n - 1)``, then everything is sorted again.

    Why: without it the top ten can be five chunks of one file; with it the
    second-best file is on screen, and the best file's other chunks follow.
    """
    seen: dict[str, int] = {}
    out = []
    for score, i, path in sorted(order, key=lambda t: -t[0]):
        n = seen.get(path, 0)
        seen[path] = n + 1
        out.append((score - W_REPEAT * n, i))
    return sorted(out, key=lambda t: -t[0])
