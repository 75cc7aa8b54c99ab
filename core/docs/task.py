"""The doc-writing task in its one format: what docs sync asks, what train sft teaches, what eval scores.

A prompt is ``templates/prompt_symbol.j2``: a one-line instruction, optional
worked examples ("shots"), the symbol's context lines (its module, class and
callees: context.py), then ``Code:`` and the symbol's code (its doc comment
removed, trimmed by :func:`trim_code`). The answer is one line per
fact: ``Summary: …`` and then ``Parameter `name`: …`` for each parameter.
``docs sync`` asks for those lines one at a time (stop at the newline);
``llmctl train data`` writes each pair's ``summary`` and ``params`` from the
analyzers' parse of its doc comment; ``train sft``/``dpo`` train on
:func:`prompt` + :func:`answer`, and ``eval`` scores the summary line docs
sync would write. Before this module, training taught code -> whole doc
comment while docs sync asked for "Summary:" lines: a tuned model got worse
at the job it was tuned for.
"""

from __future__ import annotations

TEMPLATE = "prompt_symbol.j2"
MAX_LINES, MAX_CHARS = 12, 600
# Part of each cached answer's key and of each section's tpl= hash: bump when the prompt sent for the
# same code changes (its context lines, core/docs/context.py) or the checks an answer must pass
# (core/docs/answers.py), so what was cached under the old ones is asked again once. 2: answers that
# restate the name or all but repeat the module or class line are refused. (Tried and dropped: naming a
# nested class with its outer ones, "Class `MethodSpec.Builder`.", left javapoet's "Add an annotation to
# the class." as it was.)
PROMPT_VERSION = 2


def doc_summary(doc: str) -> str:
    """A doc comment's summary on one line: the first sentence of its first paragraph."""
    from llmctl.analyzers.docstrings import first_sentence

    return " ".join(first_sentence(doc.strip().split("\n\n")[0]).split())


def trim_code(text: str, max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS) -> str:
    """The code as a prompt shows it: blank lines dropped, the first ``max_lines`` lines, ``max_chars`` at most."""
    return "\n".join(ln for ln in text.splitlines()[:max_lines] if ln.strip())[:max_chars]


_BUNDLED = None


def prompt(language: str, code: str, shots: list = (), templates=None, context: list[str] = ()) -> str:
    """The prompt for one symbol (``templates``: a project's ``Templates``; default: the bundled templates).

    ``context``: lines on its module, class and callees (core/docs/context.py), shown before its code.
    """
    global _BUNDLED
    if templates is None:
        if _BUNDLED is None:
            from llmctl.core.docs.templates import Templates

            _BUNDLED = Templates()
        templates = _BUNDLED
    text = templates.render(TEMPLATE, language=language.capitalize(), examples=list(shots), code=code,
                            context=list(context))
    # The code's last line ends before the answer's first: docs sync appends "Summary:" on a line of its
    # own, and so must training. Jinja drops the template's final newline, and until this line training
    # taught "    return xSummary: …" while docs sync asked "    return x\nSummary:".
    return text.rstrip("\n") + "\n"


def answer(summary: str, params: list[tuple[str, str]] = ()) -> str:
    """The answer lines for a summary and described parameters, as docs sync reads them back."""
    return f"Summary: {summary}\n" + "".join(f"Parameter `{name}`: {text}\n" for name, text in params)


def summary_of(answer_text: str) -> str:
    """The summary from a generated answer (its first ``Summary:`` line, or its first line)."""
    for line in answer_text.splitlines():
        if line.startswith("Summary:"):
            return line[len("Summary:"):].strip()
    lines = answer_text.strip().splitlines()
    return lines[0].strip() if lines else ""
