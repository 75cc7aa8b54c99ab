"""The doc-writing task in its one format: what docs sync asks, what train sft teaches, what eval scores.

A prompt is ``templates/prompt_symbol.j2``: a one-line instruction, optional
worked examples ("shots"), then ``Code:`` and the symbol's code (its doc
comment removed, trimmed by :func:`trim_code`). The answer is one line per
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

from dataclasses import dataclass, field

TEMPLATE = "prompt_symbol.j2"
MAX_LINES, MAX_CHARS = 12, 600


@dataclass
class Shot:
    """A worked example: code, its summary, its described parameters."""

    code: str
    summary: str
    params: list[tuple[str, str]] = field(default_factory=list)


def trim_code(text: str, max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS) -> str:
    """The code as a prompt shows it: blank lines dropped, the first ``max_lines`` lines, ``max_chars`` at most."""
    return "\n".join(ln for ln in text.splitlines()[:max_lines] if ln.strip())[:max_chars]


_ENV = None


def prompt(language: str, code: str, shots: list = (), templates=None) -> str:
    """The prompt for one symbol (``templates``: a project's ``Templates``; default: the bundled template)."""
    global _ENV
    ctx = {"language": language.capitalize(), "examples": list(shots), "code": code}
    if templates is not None:
        return templates.render(TEMPLATE, **ctx)
    if _ENV is None:
        from jinja2 import Environment, PackageLoader, StrictUndefined

        _ENV = Environment(loader=PackageLoader("llmctl.templates", ""), undefined=StrictUndefined, trim_blocks=True,
                           lstrip_blocks=True, keep_trailing_newline=False, autoescape=False)
    return _ENV.get_template(TEMPLATE).render(**ctx)


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
