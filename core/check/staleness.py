"""Was a doc comment made stale by a change? Features of the change, weighed by a learned model.

A change that edits a function's body or signature but leaves its doc comment
as it was may have made the doc false ("Return a dict" after the body starts
returning a list). Zero-shot, the served base model cannot tell (measured at
chance); a logistic model over features of the change can. The features below
compare the symbol before and after (parameters, return, raises, yields,
identifiers and literals the doc names that vanished from the code, how much
of the body changed); the weights are learned from real projects' histories
(``bench/staleness.py`` mines them, ``llmctl train staleness`` retrains on a
team's own) and shipped in ``staleness_model.json``.

Pure Python: this runs on the pre-commit path, where NumPy's import alone
would cost more than the whole check.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from llmctl.analyzers.symbols import CALLABLE_KINDS, MODULE, TYPE_KINDS, Symbol, paired
from llmctl.core.api import excluded

FEATURES = (
    "params_removed", "params_added", "removed_param_in_doc", "returns_changed", "returns_value_changed",
    "raises_added", "raises_removed", "removed_raise_in_doc", "yields_changed", "doc_names_vanished",
    "doc_literals_vanished", "doc_words_in_changed_lines", "lines_changed_log", "share_changed", "signature_changed",
    "doc_words_log", "body_lines_log", "defaults_changed",
    "doc_stems_vanished", "summary_stems_in_changed_lines", "new_stems_share", "return_doc_and_returns_changed",
    "lines_added_log", "lines_removed_log", "neighbours_reworded_log", "neighbours_changed_log",
    "elsewhere_reworded_log", "elsewhere_changed_log",
)
SHIPPED = Path(__file__).with_name("staleness_model.json")
_IDENT = re.compile(r"`?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)`?")
_LITERAL = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?|'[^'\n]{1,40}'|\"[^\"\n]{1,40}\")")
_WORD = re.compile(r"[A-Za-z]{4,}")
_SKIP_PARAMS = {"self", "cls", "this"}


@dataclass
class Change:
    """One documented symbol before and after a change: its source lines, and what they say."""

    old: Symbol
    new: Symbol
    old_lines: list[str]
    new_lines: list[str]
    # The rest of the change in the same file, as :func:`around` gives it: the documented symbols whose
    # doc comment it reworded (their names as the file knows them, for the reason), and those whose code
    # it edited (this one and its own members left out of both).
    reworded: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()
    # The rest of the change in the other files (:func:`elsewhere`): how many documented symbols' doc comments it
    # reworded there, and how many it edited.
    elsewhere: tuple[int, int] = (0, 0)

    @classmethod
    def of(cls, old: Symbol, new: Symbol, old_file: list[str], new_file: list[str],
           neighbours: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
           docs: tuple[set[str], set[str]] | None = None) -> Change:
        """The pair, cut from the lines of its file before and after (each version's own line span), its code
        only: the features must see what a staged change that forgot the doc shows, so a history example whose
        doc was rewritten in the same commit may not carry the new doc in its diff. ``docs``: the doc lines of
        every symbol in each version (:func:`doc_lines`; a class's span holds its methods' docs), else the
        symbol's own; ``neighbours``: (reworded, edited) as :func:`around` gives them."""
        docs = docs or (doc_lines([old]), doc_lines([new]))
        return cls(old, new, _code_lines(old_file[old.line - 1:old.end_line], docs[0], old.language),
                   _code_lines(new_file[new.line - 1:new.end_line], docs[1], new.language), *neighbours)

    @property
    def code_changed(self) -> bool:
        """False when only layout, comments or doc comments changed: nothing for a doc to be stale about."""
        return [_squash(ln) for ln in self.old_lines] != [_squash(ln) for ln in self.new_lines]

    def diff(self, limit: int = 60) -> str:
        """The symbol's change as a unified diff (at most ``limit`` lines)."""
        lines = list(difflib.unified_diff(self.old_lines, self.new_lines, lineterm="", n=1))[2:]
        return "\n".join(lines[:limit])


def judged(s: Symbol) -> bool:
    """What DOC401 weighs, the population its model learned from: documented functions and types (a
    constant's comment is not it); :func:`changes` leaves out the files of tests, examples and vendored code."""
    return (s.kind in CALLABLE_KINDS or s.kind in TYPE_KINDS) and bool(s.doc_raw)


def _learned_from(olds: list[Symbol]) -> bool:
    """Whether a file (its symbols before the change) is of the code the model learned from: not tests,
    examples, benchmarks or vendored code."""
    return bool(olds) and not excluded(olds[0].path, olds[0].language, [], [])


def file_counts(olds: list[Symbol], news: list[Symbol]) -> tuple[int, int]:
    """Of one file's change: how many documented symbols' doc comments it reworded, and how many it edited;
    (0, 0) for a file mining leaves out (:func:`_learned_from`, nothing judged), so the hook counts alike."""
    if not _learned_from(olds) or not any(map(judged, olds)):
        return 0, 0
    reworded, edited = neighbours(paired(olds, news))
    return len(reworded), len(edited)


def elsewhere(counts: dict[str, tuple[int, int]], path: str) -> tuple[int, int]:
    """The :func:`file_counts` of every file of the change but ``path``, summed."""
    return (sum(r for p, (r, _) in counts.items() if p != path), sum(c for p, (_, c) in counts.items() if p != path))


def changes(olds: list[Symbol], news: list[Symbol], before: list[str], after: list[str],
            rest: tuple[int, int] = (0, 0)) -> Iterator[Change]:
    """One file's changes worth weighing: each judged symbol whose code (not only its layout, comments or
    nested docs) the change edited, whatever became of its doc. History mining and ``docs check`` both call
    this, so what the model learned from is what it judges. ``before``/``after``: the file's lines; ``rest``: the
    change in the other files (:func:`elsewhere`)."""
    if not _learned_from(olds):
        return
    pairs = paired(olds, news)
    reworded, edited = neighbours(pairs)
    module = next((o.id for o in olds if o.kind == MODULE), "")
    docs = doc_lines(olds), doc_lines(news)
    for old, new in pairs:
        if not judged(old) or not _edited(old, new):
            continue
        near_reworded, near_edited = around(old.id, reworded, edited)
        change = Change.of(old, new, before, after,
                           (tuple(_short(i, module) for i in near_reworded), tuple(near_edited)), docs)
        change.elsewhere = rest
        if change.code_changed:
            yield change


def _edited(old: Symbol, new: Symbol) -> bool:
    return old.body_hash != new.body_hash or old.sig_hash != new.sig_hash


def _short(sid: str, module: str) -> str:
    """A symbol's name as its file knows it: ``Option.to_info_dict``, not ``click.core.Option.to_info_dict``."""
    return sid[len(module) + 1:] if module and sid.startswith(module + ".") else sid.rsplit(".", 1)[-1]


def neighbours(pairs: list[tuple[Symbol, Symbol]]) -> tuple[set[str], set[str]]:
    """Of one file's (old, new) symbol pairs, the ids of documented ones whose doc comment was
    reworded, and of those whose code changed."""
    reworded, changed = set(), set()
    for old, new in pairs:
        if old.doc_raw:
            if doc_changed(old.doc_raw, new.doc_raw):
                reworded.add(old.id)
            if _edited(old, new):
                changed.add(old.id)
    return reworded, changed


def _stems(text: str) -> set[str]:
    """Words of prose and of identifiers (``getHTTPClient``, ``max_retries`` split), lowercased, crudely stemmed."""
    out = set()
    for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", text):
        w = w.lower()
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[:-len(suffix)]
                break
        if len(w) >= 3:
            out.add(w)
    return out - _STOP


_STOP = {"the", "and", "for", "thi", "that", "with", "from", "are", "not", "any", "when", "will", "can", "return",
         "func", "def", "self", "none", "nil", "true", "false", "null", "pub", "let", "var", "const", "str", "int"}


def _params(s: Symbol) -> dict[str, str | None]:
    return {p.name: p.default for p in s.params if p.name not in _SKIP_PARAMS}


def _bare(line: str) -> str:
    return re.sub(r"^[\s\"'/*#!]+|[\s\"']+$", "", line)


def doc_lines(symbols) -> set[str]:
    """The lines of the symbols' doc comments, bare (:func:`_bare`), as :func:`_code_lines` leaves them out;
    not those without a letter or digit (a ``}`` of a doc's code example is not every ``}`` of the file)."""
    return {b for s in symbols for ln in (s.doc_raw or "").splitlines() if re.search(r"\w", b := _bare(ln))}


_COMMENT = {"python": re.compile(r"\s*#")}
_C_COMMENT = re.compile(r"\s*(//|/\*|\*/)")


def _code_lines(lines: list[str], docs: set[str], language: str) -> list[str]:
    """``lines`` without doc comment lines (``docs``), comment lines, bare quote/comment marks and blank lines:
    a doc rewritten from three lines to one, or a reworded comment, is not a change of the code."""
    comment = _COMMENT.get(language, _C_COMMENT)
    out, block = [], False
    for ln in lines:
        if block or (language not in _COMMENT and ln.lstrip().startswith("/*")):
            # A block comment (a field's JSDoc/Javadoc, which no symbol owns) runs to its "*/".
            block = "*/" not in ln.lstrip()[2 if not block else 0:]
            continue
        if (b := _bare(ln)) and b not in docs and not comment.match(ln):
            out.append(ln)
    return out


def _squash(line: str) -> str:
    return "".join(line.split())


def _names(lines: list[str]) -> set[str]:
    """The identifiers of code lines, string literals left out (words of a message are not names)."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", _STRING.sub('""', "\n".join(lines))))


_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


def _doc_names(doc: str) -> set[str]:
    """The names a doc comment writes as code: `quoted`, dotted, snake_case, camelCase or called().
    A prose word that also names something in the code ("and", "scheme") is the stems' business."""
    out = set()
    for m in _IDENT.finditer(doc):
        name = m.group(1)
        if len(name) > 2 and (m.group(0).startswith("`") or "_" in name.strip("_") or "." in name
                              or re.search(r"[a-z][A-Z]", name) or doc[m.end():m.end() + 1] == "("):
            out.add(name)
    return out


def around(sid: str, reworded: set[str], edited: set[str]) -> tuple[list[str], list[str]]:
    """:func:`neighbours` for symbol ``sid``: itself and its own members left out (a class is not
    "changed beside" the methods it holds, nor are they its neighbours)."""
    def others(ids: set[str]) -> list[str]:
        return sorted(i for i in ids if i != sid and not i.startswith(sid + "."))
    return others(reworded), others(edited)


def _mentioned(doc_words: set[str], names) -> list[str]:
    return sorted(n for n in names if n in doc_words)


def _wording(c: Change, doc: str, diff: list[str]) -> tuple[dict[str, float], dict[str, str]]:
    """Features of what the doc comment says against what the change touched: its names, literals, words
    and word stems (Go, JS and Rust docs name things in words), with their reasons."""
    changed_text = "\n".join(ln[1:] for ln in diff)
    removed_text = "\n".join(ln[1:] for ln in diff if ln.startswith("-"))
    # Names the doc uses that the old code had and the new code lost: the doc still talks about them.
    old_names, new_names = _names(c.old_lines), _names(c.new_lines)
    vanished = sorted(n for n in _doc_names(doc) if n.split(".")[-1] in old_names - new_names)
    literals = [lit for lit in set(_LITERAL.findall(doc)) if lit in removed_text and lit not in "\n".join(c.new_lines)]
    doc_words = {w.lower() for w in _WORD.findall(doc)}
    changed_words = {w.lower() for w in _WORD.findall(changed_text)}
    old_stems, new_stems = _stems("\n".join(c.old_lines)), _stems("\n".join(c.new_lines))
    stems_vanished = sorted(_stems(doc) & (old_stems - new_stems))
    summary = _stems(doc.strip().split("\n\n")[0])
    added_stems = _stems("\n".join(ln[1:] for ln in diff if ln.startswith("+")))
    x = {
        "doc_names_vanished": len(vanished), "doc_literals_vanished": len(literals),
        "doc_words_in_changed_lines": len(doc_words & changed_words) / max(1, len(doc_words)),
        "doc_stems_vanished": math.log1p(len(stems_vanished)),
        "summary_stems_in_changed_lines": len(summary & _stems(changed_text)) / max(1, len(summary)),
        "new_stems_share": len(added_stems - old_stems) / max(1, len(added_stems)),
    }
    reasons = {
        "doc_names_vanished": "the doc comment names " + ", ".join(f"`{n}`" for n in vanished[:3])
                              + ", which the change removed from the code",
        "doc_literals_vanished": "the doc comment mentions " + ", ".join(literals[:3])
                                 + ", which the change removed from the code",
        "doc_words_in_changed_lines": "the change rewrote lines that use the doc comment's words ("
                                      + ", ".join(sorted(doc_words & changed_words)[:4]) + ")",
        "doc_stems_vanished": "the doc comment's words " + ", ".join(f"'{w}'" for w in stems_vanished[:4])
                              + " left the code",
        "summary_stems_in_changed_lines": "the change rewrote lines about what the summary line says",
    }
    return x, reasons


def _listed(names: tuple[str, ...]) -> str:
    """"`a`", "`a` and `b`", "`a`, `b`, `c` and 3 more"."""
    shown = [f"`{x}`" for x in names[:3]]
    if len(names) > len(shown):
        return ", ".join(shown) + f" and {len(names) - len(shown)} more"
    return " and ".join(filter(None, [", ".join(shown[:-1]), *shown[-1:]]))  # "" for none (the feature did not fire)


def features(c: Change) -> tuple[list[float], dict[str, str]]:
    """The feature vector of a change (in ``FEATURES`` order) and, per feature that fired, its reason."""
    doc = c.old.doc_raw or ""
    old_p, new_p = _params(c.old), _params(c.new)
    removed_p = [p for p in old_p if p not in new_p]
    old_r, new_r = set(c.old.raised or []) - {"*"}, set(c.new.raised or []) - {"*"}
    in_doc = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", doc))
    param_in_doc, raise_in_doc = _mentioned(in_doc, removed_p), _mentioned(in_doc, old_r - new_r)
    diff = [ln for ln in difflib.unified_diff(c.old_lines, c.new_lines, lineterm="", n=0)
            if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    defaults = [p for p in old_p if p in new_p and old_p[p] != new_p[p] and p in doc]
    n_changed = len(diff)
    n_added = sum(1 for ln in diff if ln.startswith("+"))
    returns_moved = (c.old.returns or "") != (c.new.returns or "") or bool(c.old.returns_value) != bool(c.new.returns_value)
    x, reasons = _wording(c, doc, diff)
    x |= {
        "params_removed": len(removed_p), "params_added": len([p for p in new_p if p not in old_p]),
        "removed_param_in_doc": len(param_in_doc),
        "returns_changed": float((c.old.returns or "") != (c.new.returns or "")),
        "returns_value_changed": float(bool(c.old.returns_value) != bool(c.new.returns_value)),
        "raises_added": len(new_r - old_r), "raises_removed": len(old_r - new_r),
        "removed_raise_in_doc": len(raise_in_doc),
        "yields_changed": float(c.old.yields != c.new.yields),
        "lines_changed_log": math.log1p(n_changed),
        "share_changed": n_changed / max(1, len(c.old_lines) + len(c.new_lines)),
        "signature_changed": float(c.old.sig_hash != c.new.sig_hash),
        "doc_words_log": math.log1p(len(doc.split())), "body_lines_log": math.log1p(len(c.old_lines)),
        "defaults_changed": len(defaults),
        "return_doc_and_returns_changed": float(returns_moved and bool(re.search(r"\breturn", doc, re.I))),
        "lines_added_log": math.log1p(n_added), "lines_removed_log": math.log1p(n_changed - n_added),
        "neighbours_reworded_log": math.log1p(len(c.reworded)),
        "neighbours_changed_log": math.log1p(len(c.edited)),
        "elsewhere_reworded_log": math.log1p(c.elsewhere[0]), "elsewhere_changed_log": math.log1p(c.elsewhere[1]),
    }
    reasons |= {
        "removed_param_in_doc": f"parameter {', '.join(f'`{p}`' for p in param_in_doc)} was removed, "
                                "but the doc comment still describes it",
        "params_removed": f"parameter {', '.join(f'`{p}`' for p in removed_p)} was removed",
        "params_added": "new parameter " + ", ".join(f"`{p}`" for p in new_p if p not in old_p),
        "returns_changed": f"the return type changed ({c.old.returns or 'none'} -> {c.new.returns or 'none'})",
        "returns_value_changed": "it " + ("now returns a value" if c.new.returns_value else "no longer returns a value"),
        "raises_added": "it now raises " + ", ".join(sorted(new_r - old_r)),
        "raises_removed": "it no longer raises " + ", ".join(sorted(old_r - new_r)),
        "removed_raise_in_doc": "the doc comment says it raises " + ", ".join(raise_in_doc)
                                + "; the code no longer does",
        "yields_changed": "it " + ("now yields" if c.new.yields else "no longer yields"),
        "defaults_changed": "the default of " + ", ".join(f"`{p}`" for p in defaults) + " changed",
        "lines_changed_log": f"the body changed ({n_changed} lines) and the doc comment did not",
        "return_doc_and_returns_changed": "what it returns changed, and the doc comment says what it returns",
        "elsewhere_reworded_log": f"the change reworded {c.elsewhere[0]} doc comment{'s' if c.elsewhere[0] != 1 else ''} "
                                  "in other files but not this one",
        "neighbours_reworded_log": f"the change reworded the doc comment{'s' if len(c.reworded) != 1 else ''} "
                                   f"of {_listed(c.reworded)} in this file but not this one",
    }
    return [float(x[f]) for f in FEATURES], {k: v for k, v in reasons.items() if x.get(k)}


@dataclass
class Model:
    """A logistic model over ``FEATURES``: standardised inputs, weights, bias, and the threshold to report at."""

    weights: list[float]
    bias: float
    mean: list[float]
    scale: list[float]
    threshold: float
    trained_on: list[str]
    # The share of positives it learned from: the fit weighs both classes equally, so ``probability`` is for
    # a 1:1 world and ``chance`` moves it back to the rate at which docs really went stale.
    prior: float = 0.5

    @classmethod
    def load(cls, path: Path = SHIPPED) -> Model:
        """The model saved at ``path`` (the shipped one by default)."""
        data = json.loads(path.read_text())
        if data.get("features") != list(FEATURES):
            raise ValueError(f"{path}: trained on other features; retrain it with `llmctl train staleness`")
        return cls(data["weights"], data["bias"], data["mean"], data["scale"], data["threshold"],
                   data.get("trained_on", []), data.get("prior", 0.5))

    def to_json(self) -> dict:
        """What :meth:`load` reads."""
        return {"features": list(FEATURES), "weights": self.weights, "bias": self.bias, "mean": self.mean,
                "scale": self.scale, "threshold": self.threshold, "trained_on": self.trained_on,
                "prior": self.prior}

    def contributions(self, x: list[float]) -> list[float]:
        """Each feature's share of the logit."""
        return [w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale)]

    def probability(self, x: list[float], shift: float = 0.0) -> float:
        """The model's score of feature vector ``x`` (P(the doc needed an update) at a 1:1 class ratio)."""
        z = self.bias + sum(self.contributions(x)) + shift
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def chance(self, x: list[float]) -> float:
        """P(the doc comment needed an update) at the rate seen in the histories it learned from: what a
        finding says to its reader (a 1:1 score of 90% is a 37% chance where 6% of docs go stale)."""
        p = min(max(self.prior, 1e-6), 1 - 1e-6)
        return self.probability(x, math.log(p / (1 - p)))

    def reason(self, x: list[float], reasons: dict[str, str]) -> str:
        """The fired feature that pushed the probability up the most, in words."""
        ranked = sorted(zip(self.contributions(x), FEATURES), reverse=True)
        return next((reasons[f] for _, f in ranked if f in reasons), "the body changed and the doc comment did not")


def doc_changed(old_doc: str | None, new_doc: str | None) -> bool:
    """True when a doc comment's wording changed, not just its layout."""
    def norm(d: str | None) -> str:
        return " ".join((d or "").split())
    return norm(old_doc) != norm(new_doc)
