"""Suggested doc comments for DOC401: the served model rewrites the old doc comment for the change.

``llmctl docs check --suggest`` (with ``--staged`` or ``--since``) asks the
configured model, once per stale finding, for the doc comment's first
paragraph rewritten for the code change (that paragraph and the change's diff
in a few-shot prompt; the rest of the doc is kept as it was); it
prints the result as a unified diff of the source file. Nothing is written
unless ``--fix`` is given too, and then only the doc comment's own lines of
the work-tree file change (never the git index). A rewrite that repeats an
example's answer or talks about other things than the old doc and the new
code is dropped (:func:`plausible`). Python docstrings are
patched in place; for other languages the suggestion is printed, not applied.
"""

from __future__ import annotations

import difflib
import re
import textwrap

from llmctl.core.check.staleness import Change

_SHOTS = '''Rewrite each doc comment so that it describes the code after the change.

Old doc comment:
"""Return the user's name, or None when unknown."""
Code change:
-    return self.names.get(uid)
+    name = self.names.get(uid)
+    if name is None:
+        raise KeyError(uid)
+    return name
New doc comment:
"""Return the user's name; raise KeyError when unknown."""

Old doc comment:
"""Return the first line of ``text``."""
Code change:
-    return text.splitlines()[0]
+    return text.splitlines()[-1]
New doc comment:
"""Return the last line of ``text``."""

'''
_QUOTES = re.compile(r'^(\s*)([rRuUbB]{0,2})("""|\'\'\')')


def split_doc(doc: str) -> tuple[str, str]:
    """(the doc comment's first paragraph, the rest as it stands, blank line included; "" when none)."""
    doc = doc.strip()
    head, sep, rest = doc.partition("\n\n")
    return head, sep + rest if rest.strip() else ""


def prompt(change: Change) -> str:
    """The few-shot prompt for one change (the old doc's first paragraph + diff); the model continues after
    the opening quotes."""
    old = split_doc(change.old.doc_raw or "")[0]
    return f'{_SHOTS}Old doc comment:\n"""{old}"""\nCode change:\n{change.diff(40)}\nNew doc comment:\n"""'


def suggest(client, change: Change, max_tokens: int = 160) -> str | None:
    """The doc comment with its first paragraph rewritten by the model and the rest kept as it was, or None
    when the model offers nothing new. A 270M model asked for a whole doc comment answers one sentence: httpx's
    ``request`` lost its parameter list that way, koa's ``use`` its @param and @return tags. The price: a
    stale later paragraph stays (httpx's ``Response.url``, where the maintainers deleted the second one)."""
    head, rest = split_doc(change.old.doc_raw or "")
    raw = client.complete(prompt(change), max_tokens=max_tokens, stop=['"""', "\nOld doc comment:"], temperature=0.0)
    text = split_doc(textwrap.dedent(raw))[0]
    if not text or " ".join(text.split()) == " ".join(head.split()) or not plausible(text, change):
        return None
    return text + rest


_WORDS = re.compile(r"[A-Za-z]{4,}")
_TASK_LINE = re.compile(r"(?m)(^|\.)\s*(Summary:|Parameter `[^`]+`:)")
_CODE_LINE = re.compile(r"(?m)^\s*(\+|@@|[-+]?\s*(def|fn|func|class|return|if|for)\b.*[:({]\s*$)")


def plausible(doc: str, change: Change) -> bool:
    """A rewrite worth showing: not an example's answer copied, and mostly in the words of the old doc and new code.

    Why: a small base model sometimes repeats a few-shot answer or drifts off
    the subject; a suggestion that talks about other things is noise.
    """
    if doc in _SHOTS or "doc comment:" in doc or _CODE_LINE.search(doc) or _TASK_LINE.search(doc):
        return False  # an example's answer, the prompt's own scaffolding, diff or code copied back, or
        # docs sync's "Summary:"/"Parameter `x`:" lines (what the bundled adapter learned to answer)
    known = {w.lower() for w in _WORDS.findall((change.old.doc_raw or "") + "\n" + "\n".join(change.new_lines))}
    used = [w.lower() for w in _WORDS.findall(doc)]
    return bool(used) and sum(w in known for w in used) / len(used) >= 0.6


def patch_python(source: str, change: Change, doc: str) -> str | None:
    """``source`` (the file after the change) with the symbol's docstring replaced by ``doc``; None if not found."""
    lines = source.splitlines(keepends=True)
    start = change.new.line  # the docstring opens on a line below the definition's first line
    for i in range(start, min(change.new.end_line, start + 40)):
        m = _QUOTES.match(lines[i]) if i < len(lines) else None
        if m is None:
            continue
        quote = m.group(3)
        rest = lines[i][m.end():]
        end = i if quote in rest else next((j for j in range(i + 1, len(lines)) if quote in lines[j]), None)
        if end is None:
            return None
        indent, prefix = m.group(1), m.group(2)
        body = doc.splitlines()
        if len(body) == 1:
            new = [f"{indent}{prefix}{quote}{body[0]}{quote}\n"]
        else:
            new = [f"{indent}{prefix}{quote}{body[0]}\n"] + [f"{indent}{ln}\n" if ln else "\n" for ln in body[1:]]
            new.append(f"{indent}{quote}\n")
        return "".join(lines[:i] + new + lines[end + 1:])
    return None


def unified(path: str, before: str, after: str) -> str:
    """``after`` against ``before`` as a unified diff of ``path``."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))
