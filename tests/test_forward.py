"""Parameter descriptions taken from the callee a parameter is passed to (core/docs/forward.py)."""

from __future__ import annotations

import json

from llmctl.analyzers import analyze
from llmctl.core.docs.forward import calls, forwarded, without_default

from conftest import run_cli, write

ECHO = '''
def echo(message, err=False, color=None):
    """Print a message.

    :param message: The string to output.
    :param err: If true, write to stderr instead of stdout. Defaults to False.
    :param color: Force or strip ANSI colors (default: autodetect).
    """
'''


def test_calls_reads_keyword_and_positional_arguments_through_nesting_and_strings():
    body = 'x = echo(f"a, (b", err=err, color=pick(color, "),"))\nself.render(text, [1, 2])\nif (ok) { go(a) }'
    assert calls(body) == [("echo", ['f"a, (b"', "err=err", 'color=pick(color, "),")']),
                           ("pick", ["color", '"),"']), ("self.render", ["text", "[1, 2]"]), ("go", ["a"])]


def test_without_default_drops_what_the_callee_says_of_its_own_default():
    assert without_default("Refreshes per second. Defaults to 4.") == "Refreshes per second."
    assert without_default("Force or strip ANSI colors (default: autodetect).") == "Force or strip ANSI colors."
    assert without_default("The pager supports colors. The default is autodetection.") == "The pager supports colors."


def _forwards(root, src: str, path: str = "m.py", language: str = "python") -> dict:
    """What forwarded() finds in one file (it reads bodies from the file) for all but ``echo``."""
    (root / path).write_text(src)
    syms = analyze(src.encode(), path, language).symbols
    return forwarded([s for s in syms if s.name != "echo"], syms, root)


def test_a_parameter_passed_on_unchanged_takes_the_callees_description(tmp_path):
    found = _forwards(tmp_path, ECHO + '''
def confirm(text, err=False, colour=None):
    echo(text, err=err, color=colour)

def pause(info, err=False):
    err = not err
    echo(info, err)
''')
    # same name: taken, less the callee's default; renamed (info -> message, colour -> color): not taken,
    # a renamed argument often plays another part; reassigned before the call (pause's err): not taken.
    assert {sid: {k: (f.text, f.callee.id) for k, f in v.items()} for sid, v in found.items()} == {
        "m.confirm": {"err": ("If true, write to stderr instead of stdout.", "m.echo")}}


def test_descriptions_pass_along_a_chain_and_ambiguous_callees_are_not_guessed(tmp_path):
    found = _forwards(tmp_path, ECHO + '''
def secho(message, err=False):
    echo(message, err=err)

def warn(message, err=True):
    secho(message, err=err)

class A:
    def show(self, err):
        """Show. :param err: where to."""
class B:
    def show(self, err):
        """Show. :param err: something else."""

def both(obj, err):
    obj.show(err)
    show(err)
''')
    assert found["m.warn"]["err"].callee.id == "m.echo"  # through secho, which says nothing of err itself
    assert found["m.secho"]["message"].text == "The string to output."
    assert "m.both" not in found  # obj.show: any object; show: two callees that disagree


def test_a_plain_call_reaches_the_files_own_function_not_a_method_of_that_name(tmp_path):
    # httpx's get() calls request(), and Client.request exists too: the call is the module's request.
    found = _forwards(tmp_path, ECHO + '''
class Console:
    def echo(self, message, err=False):
        """Echo on the console.

        :param err: Whether the console is its own error stream.
        """

def say(message, err=False):
    echo(message, err=err)
''')
    assert {k: f.callee.id for k, f in found["m.say"].items()} == {"message": "m.echo", "err": "m.echo"}


def test_docs_sync_shows_a_forwarded_description_and_rerenders_when_the_callee_doc_changes(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "tool"\n')
    write(tmp_path, "tool/__init__.py", '"""Tool."""\nfrom tool.out import echo, confirm\n__all__ = ["echo", "confirm"]\n')
    write(tmp_path, "tool/out.py", ECHO + '''
def confirm(text, err=False):
    """Ask a yes/no question."""
    return echo(text, err=err)
''')
    out = run_cli("docs", "sync", "--no-model", "--json", cwd=tmp_path, check=True)
    assert json.loads(out.stdout)["forwarded"] == 1
    page = next((tmp_path / "docs/api").glob("tool.md")).read_text()
    row = next(line for line in page.splitlines() if line.startswith("| `err` |") and "as in" in line)
    assert "If true, write to stderr instead of stdout. *(as in [`echo`](#tool.echo))*" in row
    assert "Defaults" not in row and "(generated)" not in row
    # The callee's doc changes: confirm's section follows, though confirm's code did not change.
    write(tmp_path, "tool/out.py", (tmp_path / "tool/out.py").read_text().replace("write to stderr", "print to stderr"))
    second = json.loads(run_cli("docs", "sync", "--no-model", "--json", cwd=tmp_path, check=True).stdout)
    assert second["forwarded"] == 1 and second["sections_rendered"] == 2
    assert "If true, print to stderr instead of stdout. *(as in" in (tmp_path / "docs/api/tool.md").read_text()
    third = json.loads(run_cli("docs", "sync", "--no-model", "--json", cwd=tmp_path, check=True).stdout)
    assert (third["sections_rendered"], third["pages_written"]) == (0, 0)


def test_javascript_positional_forwarding_takes_the_jsdoc_description(tmp_path):
    src = '''
/**
 * Determine if a value is a Buffer.
 * @param {*} val The value to test
 * @returns {boolean} True if value is a Buffer
 */
export function isBuffer(val) { return val instanceof Buffer; }

export function isBinary(val, strict) { return isBuffer(val) || (strict && isView(val)); }
'''
    found = _forwards(tmp_path, src, "m.js", "javascript")
    assert {k: f.text for k, f in found["m.isBinary"].items()} == {"val": "The value to test"}


def test_context_lines_name_the_module_the_class_and_the_documented_callees():
    from llmctl.core.docs.context import Context

    src = '''"""Box drawing.

box
~~~
"""

def blend(a, b):
    """Blend one colour into another."""

def _undocumented(x): ...

class Box:
    """Characters to render boxes."""

    def __init__(self, chars):
        self.chars = chars

    def get_top(self, widths):
        def inner(w):
            return blend(w, w)
        self.__init__(widths)
        return _undocumented(blend(widths, 1)) + self.get_top(widths)

class Plain:
    def get_row(self):
        return 1
'''
    syms = {s.id: s for s in analyze(src.encode(), "m.py", "python").symbols}
    ctx = Context(list(syms.values()))
    top = syms["m.Box.get_top"]
    body = "\n".join(src.splitlines()[top.line - 1:top.end_line])
    # The def header, the nested def, the dunder and the undocumented helper are not callees; blend is named once.
    assert ctx.lines(top, body) == ["Module `m`: Box drawing.", "Class `Box`: Characters to render boxes.",
                                    "Calls `blend`: Blend one colour into another."]
    plain = syms["m.Plain.get_row"]
    assert ctx.lines(plain, "def get_row(self):\n    return 1") == ["Module `m`: Box drawing.", "Class `Plain`."]
    # A class's own body calls what its methods call: only module and class lines.
    box = syms["m.Box"]
    assert ctx.lines(box, "\n".join(src.splitlines()[box.line - 1:box.end_line])) == ["Module `m`: Box drawing."]
