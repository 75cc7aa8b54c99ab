"""The API reference documents each language's public API, converges, and builds as a MkDocs site.

Python cases run on real packages from this environment's site-packages
(click: package re-exports and ``@overload``; pydantic: ``__all__`` and a
private ``_internal`` package; typer: ``from .main import Typer as Typer``),
copied into git repositories of their own. Other languages run on small real
files the tests write, shaped like the repositories the issue measured.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import git, run_cli, write

SITE = Path(sysconfig.get_paths()["purelib"])


def _package(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(SITE / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    git(root, "init", "-q")
    return root


def _sync(root: Path, *args: str) -> dict:
    proc = run_cli("docs", "sync", "--no-model", "--json", *args, cwd=root)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _ids(page: Path) -> list[str]:
    return re.findall(r'<!-- llmctl:begin id="([^"]+)"', page.read_text())


def test_package_reexports_overloads_and_rest_on_click(tmp_path: Path):
    root = _package(tmp_path, "click")
    first = _sync(root)
    api = root / "docs/api"
    top = api / "click.md"
    ids = _ids(top)
    # Re-exported from click/core.py and click/utils.py, documented under the path users import.
    assert {"click.Command", "click.Group", "click.Context", "click.echo", "click.option"} <= set(ids)
    assert "click.core.Command" not in {i for p in api.glob("*.md") for i in _ids(p)}
    assert "Defined in [click/core.py:" in top.read_text()
    # @overload: one section, every overload signature listed, ids unique on every page.
    assert ids.count("click.Context.invoke") == 1
    for page in api.glob("*.md"):
        assert len(_ids(page)) == len(set(_ids(page))), page.name
    text = top.read_text()
    invoke = text[text.index('<!-- llmctl:begin id="click.Context.invoke"'):]
    invoke = invoke[:invoke.index("llmctl:end")]
    assert invoke.count("def invoke(") == 2  # the two @t.overload signatures, not the implementation
    # reST rendered as Markdown: no raw roles or directives left, version notes kept.
    text = "\n".join(p.read_text() for p in api.glob("*.md"))
    assert not re.search(r":(meth|class|func|attr|exc):`|^\s*\.\. [a-z-]+::", text, re.M)
    assert "Changed in version" in text
    # A re-run changes nothing; --check agrees.
    mtimes = {p: p.stat().st_mtime_ns for p in api.iterdir()}
    second = _sync(root)
    assert first["pages_written"] > 0 and second["pages_written"] == 0 and second["model_calls"] == 0
    assert {p: p.stat().st_mtime_ns for p in api.iterdir()} == mtimes
    assert run_cli("docs", "sync", "--check", cwd=root).returncode == 0
    # and docs check agrees: no GEN finding right after a sync
    check = json.loads(run_cli("docs", "check", "--format", "json", cwd=root).stdout)
    assert not [f for f in check["findings"] if f["rule"].startswith("GEN")]


def test_all_and_private_modules_on_pydantic(tmp_path: Path):
    root = _package(tmp_path, "pydantic")
    _sync(root)
    pages = {p.name for p in (root / "docs/api").glob("*.md")}
    assert "pydantic.md" in pages and not [p for p in pages if "._" in p or p.startswith("_")]
    ids = _ids(root / "docs/api/pydantic.md")
    assert {"pydantic.BaseModel", "pydantic.Field", "pydantic.ConfigDict"} <= set(ids)
    assert "pydantic.BaseModel.model_dump" in ids  # members of a re-exported class follow it


def test_explicit_reexport_idiom_and_paths_argument_on_typer(tmp_path: Path):
    root = _package(tmp_path, "typer")
    _sync(root)
    assert "typer.Typer" in _ids(root / "docs/api/typer.md")
    index = (root / "docs/api/index.md").read_text()
    # docs sync PATHS renders only the pages of those files; the index stays complete.
    (root / "docs/api/typer.md").unlink()
    (root / "docs/api/typer.testing.md").unlink()
    result = _sync(root, "typer/testing.py")
    assert result["changed"] == ["typer.testing.md"]
    assert (root / "docs/api/index.md").read_text() == index and not (root / "docs/api/typer.md").exists()
    assert run_cli("docs", "sync", "--no-model", "no/such/dir", cwd=root).returncode == 2


def test_tests_examples_and_private_modules_are_never_documented(git_repo: Path):
    write(git_repo, "shop/__init__.py", "from ._client import *\n__all__ = ['Client', 'get']\n")
    write(git_repo, "shop/_client.py", '''
        __all__ = ["Client", "get"]

        class Client:
            """An HTTP client."""

            def send(self, request):
                """Send a request."""

        def get(url):
            """GET a URL."""

        def _helper():
            pass
        ''')
    write(git_repo, "tests/test_client.py", "def test_get():\n    pass\n")
    write(git_repo, "shop/test_utils.py", "def make():\n    pass\n")
    write(git_repo, "examples/demo.py", "def main():\n    pass\n")
    write(git_repo, "typing_tests/mypy.py", "def check_define():\n    pass\n")  # attrs' type-checker tests
    write(git_repo, "web/api.test.js", "export function testThing() {}\n")
    write(git_repo, "web/api.js", "export function fetchItems(url) { return url; }\n")
    _sync(git_repo)
    api = git_repo / "docs/api"
    assert sorted(p.name for p in api.glob("*.md")) == ["index.md", "shop.md", "web.api.md"]
    assert _ids(api / "shop.md") == ["shop.Client", "shop.Client.send", "shop.get"]
    assert "Defined in [shop/_client.py:3]" in (api / "shop.md").read_text()


def test_go_one_page_per_package_without_tests_or_internal(git_repo: Path):
    write(git_repo, "go.mod", "module github.com/acme/web\n\ngo 1.22\n")
    write(git_repo, "doc.go", "// Package web is a small HTTP framework.\npackage web\n")
    write(git_repo, "mode.go", "package web\n\nconst (\n\t// DebugMode prints every route.\n\tDebugMode = \"debug\"\n"
                               "\tinternalMode = \"x\"\n)\n\n// DefaultPort is where Run listens.\nvar DefaultPort int = 8080\n")
    write(git_repo, "engine.go", "package web\n\n// Engine routes requests.\ntype Engine struct{}\n\n"
                                 "// New returns an Engine.\nfunc New() *Engine { return &Engine{} }\n\n"
                                 "// Run serves HTTP.\nfunc (e *Engine) Run(addr string) error { return nil }\n")
    write(git_repo, "context.go", "package web\n\n// Context carries a request.\ntype Context struct{}\n\n"
                                  "// JSON writes JSON.\nfunc (c *Context) JSON(code int, obj any) {}\n")
    write(git_repo, "engine_test.go", "package web\n\nfunc TestRun(t *testing.T) {}\n")
    write(git_repo, "binding/binding.go", "package binding\n\n// Bind decodes a body.\nfunc Bind(v any) error { return nil }\n")
    write(git_repo, "internal/bytesconv/conv.go", "package bytesconv\n\n// ToString converts.\nfunc ToString(b []byte) string { return \"\" }\n")
    # A command (urfave/cli's scripts/build.go): `package main` has nothing to import.
    write(git_repo, "scripts/build.go", "package main\n\n// Build runs the build.\nfunc Build() error { return nil }\n")
    _sync(git_repo)
    api = git_repo / "docs/api"
    assert sorted(p.name for p in api.glob("*.md")) == ["binding.md", "index.md", "web.md"]
    page = (api / "web.md").read_text()
    assert page.startswith("# `github.com/acme/web`") and "small HTTP framework" in page
    # godoc's order: constants and variables (exported ones, with their doc comments), functions, types.
    assert _ids(api / "web.md") == ["web.DebugMode", "web.DefaultPort", "web.New", "web.Context", "web.Context.JSON",
                                    "web.Engine", "web.Engine.Run"]
    assert "```go\nconst DebugMode = \"debug\"\n```\n\nDebugMode prints every route." in page
    assert "```go\nvar DefaultPort int\n```\n\nDefaultPort is where Run listens." in page
    assert "# `github.com/acme/web/binding`" in (api / "binding.md").read_text()


def test_typescript_entry_points_rust_crate_root_and_java_main(git_repo: Path):
    write(git_repo, "ky/package.json", json.dumps({"name": "ky", "exports": {"default": "./distribution/index.js"}}))
    write(git_repo, "ky/source/index.ts", "export {HTTPError} from './errors/HTTPError.js';\n"
                                          "export type {Options} from './types/options.js';\n"
                                          "export * as hooks from './hooks.js';\n")
    write(git_repo, "ky/source/hooks.ts", "/** Run before a request. */\nexport function beforeRequest() {}\n")
    write(git_repo, "ky/source/errors/HTTPError.ts", "/** An HTTP error. */\nexport class HTTPError extends Error {}\n"
                                                     "export class Internal {}\n")
    write(git_repo, "ky/source/types/options.ts", "/** Options. */\nexport interface Options { retry?: number }\n")
    write(git_repo, "ky/test/main.ts", "export function testMain() {}\n")
    write(git_repo, "crate/Cargo.toml", '[package]\nname = "oops"\nversion = "1.0.0"\n')
    write(git_repo, "crate/src/lib.rs", "mod error;\npub use crate::error::Error;\n\n/// A result.\npub type Result<T> = "
                                        "core::result::Result<T, Error>;\n\n#[cfg(test)]\nmod tests {\n    pub fn t() {}\n}\n")
    write(git_repo, "crate/src/error.rs", "/// An error.\npub struct Error;\n\nimpl Error {\n    /// Make one.\n"
                                          "    pub fn new() -> Self { Error }\n\n    fn check(&self) -> bool { true }\n}\n\n"
                                          "pub fn hidden() {}\n")  # check: a private method (walkdir's metadata_internal)
    write(git_repo, "app/src/main/java/com/acme/Client.java", "package com.acme;\n/** A client. */\npublic class Client {\n"
                                                               "  /** Seconds to wait. */\n  public static final int TIMEOUT = 30;\n"
                                                               "  private String secret;\n"
                                                               "  /** Send. */\n  public void send() {}\n}\n")
    write(git_repo, "app/src/test/java/com/acme/ClientTest.java", "package com.acme;\npublic class ClientTest {}\n")
    _sync(git_repo)
    api = git_repo / "docs/api"
    assert sorted(p.name for p in api.glob("*.md")) == ["com.acme.Client.md", "index.md", "ky.md", "oops.md"]
    assert _ids(api / "ky.md") == ["ky.HTTPError", "ky.hooks.beforeRequest", "ky.Options"]
    assert _ids(api / "oops.md") == ["oops.Error", "oops.Error.new", "oops.Result"]
    # A public field (javapoet's TypeName.INT) is documented first among the members, as Javadoc does.
    assert _ids(api / "com.acme.Client.md") == ["com.acme.Client", "com.acme.Client.TIMEOUT", "com.acme.Client.send"]
    assert "### `TIMEOUT` <small>field</small>\n\n```java\npublic static final int TIMEOUT\n```\n\nSeconds to wait." in (
        api / "com.acme.Client.md").read_text()


def test_java_documents_the_packages_its_module_exports(git_repo: Path):
    # gson's module-info.java exports com.google.gson and three more; its 34 public classes under
    # com.google.gson.internal were documented as API. Without a module-info, `internal` is the convention.
    write(git_repo, "gson/src/main/java/module-info.java",
          "/** The module. */\nmodule com.acme {\n  exports com.acme;\n  // exports com.acme.old;\n"
          "  exports com.acme.spi to com.acme.impl;\n}\n")
    for pkg in ("com/acme", "com/acme/internal", "com/acme/spi"):
        write(git_repo, f"gson/src/main/java/{pkg}/Api.java",
              f"package {pkg.replace('/', '.')};\n/** An API. */\npublic class Api {{}}\n")
    write(git_repo, "extras/src/main/java/com/acme/extras/Extra.java",
          "package com.acme.extras;\n/** Extra. */\npublic class Extra {}\n")
    write(git_repo, "extras/src/main/java/com/acme/extras/internal/Hidden.java",
          "package com.acme.extras.internal;\n/** Hidden. */\npublic class Hidden {}\n")
    _sync(git_repo)
    assert sorted(p.name for p in (git_repo / "docs/api").glob("*.md")) == [
        "com.acme.Api.md", "com.acme.extras.Extra.md", "index.md"]


def test_commonjs_package_documents_what_module_exports_reaches(git_repo: Path):
    """Shaped like express: index.js re-exports lib/express.js, which exports a function and, as namespaces,
    the modules whose `app`/`res` objects carry the API; `@private` helpers and unexported functions stay out."""
    write(git_repo, "package.json", json.dumps({"name": "express", "main": "index.js"}))
    write(git_repo, "index.js", "'use strict';\nmodule.exports = require('./lib/express');\n")
    write(git_repo, "lib/express.js", "var proto = require('./application');\nvar res = require('./response');\n"
                                      "exports = module.exports = createApplication;\n\n"
                                      "/**\n * Create an express application.\n */\n\n"
                                      "function createApplication() {\n  return {};\n}\n\n"
                                      "exports.application = proto;\nexports.response = res;\n")
    write(git_repo, "lib/application.js", "var app = exports = module.exports = {};\n\n"
                                          "/**\n * Initialize the server.\n *\n * @private\n */\n\n"
                                          "app.init = function init() {\n  this.cache = {};\n};\n\n"
                                          "/**\n * Listen for connections.\n */\n\n"
                                          "app.listen = function listen() {\n  return null;\n};\n\n"
                                          "/** Log an error. */\nfunction logerror(err) {\n  console.error(err);\n}\n")
    write(git_repo, "lib/response.js", "var res = Object.create(null);\nmodule.exports = res;\n\n"
                                       "/**\n * Send a response.\n */\n\n"
                                       "res.send = function send(body) {\n  return this;\n};\n")
    _sync(git_repo)
    page = git_repo / "docs/api/express.md"
    assert _ids(page) == ["express.application.listen", "express.createApplication", "express.response.send"]
    assert re.findall(r"^## `([^`]+)`", page.read_text(), re.M) == ["app.listen", "createApplication", "res.send"]
    assert "Send a response." in page.read_text()


def test_esm_entry_exports_what_it_imports_in_a_local_list(git_repo: Path):
    """Shaped like commander: index.js imports its classes and exports them in a list (one under a second
    name); its page listed only the three functions index.js defines. Methods named `_x` are the class's own."""
    write(git_repo, "package.json", json.dumps({"name": "commander", "main": "./index.js"}))
    write(git_repo, "index.js", "import { Command } from './lib/command.js';\n"
                                "import { InvalidArgumentError as BadArgument } from './lib/error.js';\n"
                                "import * as helpers from './lib/helpers.js';\n\n"
                                "/** The program: a command ready to use. */\nexport const program = new Command();\n\n"
                                "/** Make a command. */\nexport const createCommand = (name) => new Command(name);\n\n"
                                "export { Command, helpers };\n"
                                "export { BadArgument, BadArgument as InvalidOptionArgumentError };\n")
    write(git_repo, "lib/command.js", "/** A command. */\nexport class Command {\n"
                                      "  /** Parse the arguments. */\n  parse(argv) { return this._prepare(argv); }\n\n"
                                      "  /** Internal. */\n  _prepare(argv) { return argv; }\n}\n")
    write(git_repo, "lib/error.js", "/** An invalid argument. */\nexport class InvalidArgumentError extends Error {}\n")
    write(git_repo, "lib/helpers.js", "/** Split words. */\nexport function words(text) { return text.split(' '); }\n")
    _sync(git_repo)
    assert _ids(git_repo / "docs/api/commander.md") == [
        "commander.program", "commander.createCommand", "commander.Command", "commander.Command.parse",
        "commander.BadArgument", "commander.InvalidOptionArgumentError", "commander.helpers.words"]
    # An exported value (immer's `produce: IProduce = immer.produce`) is documented as a fact.
    assert "```javascript\nconst program = new Command()\n```\n\nThe program: a command ready to use." in (
        git_repo / "docs/api/commander.md").read_text()


def test_a_definitions_other_names_are_listed_with_it(git_repo: Path):
    """Shaped like attrs: ``attr.s`` and ``attr.attributes`` are second names of ``attr.attrs``, and the
    ``attrs`` package offers ``attr``'s definitions again; each is documented once, with its other names."""
    write(git_repo, "attr/__init__.py", "from ._make import attrs\n\ns = attributes = attrs\n\n"
                                        "__all__ = ['attributes', 'attrs', 's']\n")
    write(git_repo, "attr/_make.py", '"""Making classes."""\n\n\ndef attrs(maybe_cls=None):\n'
                                     '    """Add dunder methods to a class."""\n    return maybe_cls\n')
    write(git_repo, "attrs/__init__.py", "from attr import attrs, s\n\n__all__ = ['attrs', 'define']\n\n\n"
                                         "def define(cls):\n    \"\"\"Define a class; see :func:`attr.s`.\"\"\"\n"
                                         "    return attrs(cls)\n")
    write(git_repo, "README.md", "Decorate a class with `attr.s` or `attrs.define`.\n")
    _sync(git_repo)
    api = git_repo / "docs/api"
    assert _ids(api / "attr.md") == ["attr.attrs"] and _ids(api / "attrs.md") == ["attrs.define"]
    assert "Also as `attr.attributes`, `attr.s`, `attrs.attrs`." in (api / "attr.md").read_text()
    assert "[`attr.s`](attr.md#attr.attrs)" in (api / "attrs.md").read_text()  # a link to another name resolves
    check = json.loads(run_cli("docs", "check", "--format", "json", cwd=git_repo).stdout)
    assert [f for f in check["findings"] if f["rule"].startswith("MD")] == []


def test_each_raised_exception_is_an_item_of_its_own(git_repo: Path):
    """Two or more raises ran into one line ("- `TypeError` — …- `ValueError` — …"): 30 such on 16 libraries."""
    write(git_repo, "calc.py", '"""Calculations."""\n\n\ndef div(a, b):\n    """Divide.\n\n    Args:\n'
                               '        a: The dividend.\n        b: The divisor.\n\n    Raises:\n'
                               '        TypeError: If either is not a number.\n        ZeroDivisionError: If b is 0.\n\n'
                               '    Returns:\n        The quotient.\n    """\n    return a / b\n')
    _sync(git_repo)
    page = (git_repo / "docs/api/calc.md").read_text()
    assert "- `TypeError` — If either is not a number.\n- `ZeroDivisionError` — If b is 0.\n\n<sub>" in page


def test_a_hand_written_page_in_the_reference_folder_is_left_alone(git_repo: Path):
    """koa keeps hand-written docs in docs/api/: sync writes its own pages beside them, never into them."""
    write(git_repo, "pkg/__init__.py", '"""A package."""\n\n\ndef run(x):\n    """Run it."""\n    return x\n')
    mine = "# Application\n\nWritten by hand.\n"
    write(git_repo, "docs/api/index.md", mine)
    out = _sync(git_repo)
    assert out["hand_written"] == ["index.md"] and "pkg.md" in out["changed"]
    assert (git_repo / "docs/api/index.md").read_text() == mine
    assert _sync(git_repo)["changed"] == []  # and it stays converged


def test_reference_builds_with_mkdocs_strict(tmp_path: Path):
    pytest.importorskip("mkdocs")
    root = _package(tmp_path, "click")
    (root / "pyproject.toml").write_text('[tool.llmctl.docs]\nsource_url = "https://github.com/pallets/click/blob/main/"\n')
    _sync(root)
    assert (root / "docs/api/.pages").read_text().startswith("nav:\n  - index.md\n")
    (root / "mkdocs.yml").write_text("site_name: click API\ndocs_dir: docs/api\nsite_dir: site\n")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (root / "site/click/index.html").is_file()


def test_a_property_section_speaks_with_its_getter_not_its_setter():
    # httpx's Headers.encoding: the getter's doc comment heads the section, and its line is the one linked;
    # the setter, undocumented and defined after it, had the section ask the model for a summary.
    from llmctl.analyzers import analyze
    from llmctl.core.api import Entry

    src = b'''
class Headers:
    @property
    def encoding(self) -> str:
        """Header encoding is mandated as ascii."""
        return self._encoding

    @encoding.setter
    def encoding(self, value: str) -> None:
        self._encoding = value
'''
    group = [s for s in analyze(src, "m.py", "python").symbols if s.id == "m.Headers.encoding"]
    assert len(group) == 2
    speaker = Entry("m.Headers.encoding", group).symbol
    assert (speaker.doc.summary, speaker.line) == ("Header encoding is mandated as ascii.", 4)
    # koa's response.status: both documented, the getter speaks, as in Python.
    js = b'''module.exports = {
  /** Get response status code. */
  get status () { return this.res.statusCode },
  /** Set response status code. */
  set status (code) { this.res.statusCode = code },
}
'''
    group = [s for s in analyze(js, "response.js", "javascript").symbols if s.name == "status"]
    assert len(group) == 2 and Entry("response.status", group).symbol.doc.summary == "Get response status code."


def test_of_java_overloads_the_documented_one_speaks():
    # javapoet documents subtypeOf(TypeName), not the convenience subtypeOf(Type) after it, which
    # was given a generated "Return the subtype of a WildcardTypeName.".
    from llmctl.analyzers import analyze
    from llmctl.core.api import Entry

    src = b'''public final class WildcardTypeName {
  /** Returns a type that represents an unknown type that extends {@code bound}. */
  public static WildcardTypeName subtypeOf(TypeName upperBound) { return null; }

  public static WildcardTypeName subtypeOf(Type upperBound) { return subtypeOf(TypeName.get(upperBound)); }
}'''
    group = [s for s in analyze(src, "WildcardTypeName.java", "java").symbols if s.name == "subtypeOf"]
    assert len(group) == 2
    assert Entry("WildcardTypeName.subtypeOf", group).symbol.line == 3


def test_java_overloads_documented_apart_each_show_their_own_doc(git_repo: Path):
    """jsoup documents each of Jsoup.parse's overloads; the section showed the last one's doc for all."""
    write(git_repo, "src/main/java/org/acme/Jsoup.java", "package org.acme;\n\n/** Entry point. */\npublic class Jsoup {\n"
          "  /**\n   * Parse HTML.\n   * @param html the HTML\n   * @return the document\n   */\n"
          "  public static Document parse(String html) { return null; }\n\n"
          "  public static Document parse(byte[] html) { return null; }\n\n"
          "  /**\n   * Fetch a URL and parse it.\n   * @param url the URL\n   * @return the document\n   */\n"
          "  public static Document parse(URL url) { return null; }\n}\n")
    _sync(git_repo)
    page = (git_repo / "docs/api/org.acme.Jsoup.md").read_text()
    section = page[page.index('id="org.acme.Jsoup.parse"'):page.index('llmctl:end id="org.acme.Jsoup.parse"')]
    parts = section.split("```java\n")[1:]
    assert [p.split("\n```")[0] for p in parts] == [
        "public static Document parse(String html)",
        "public static Document parse(URL url)\npublic static Document parse(byte[] html)"]
    assert "Parse HTML." in parts[0] and "| `html` | `String` |  | the HTML |" in parts[0]
    assert "Fetch a URL and parse it." in parts[1] and "Parse HTML." not in parts[1]
    assert section.count("<sub>Source:") == 2
    assert _sync(git_repo)["changed"] == []


def test_a_class_lists_the_methods_it_inherits_from_the_projects_classes(git_repo: Path):
    """Flask's page listed the methods Flask defines and not route or register_blueprint, which it inherits
    from sansio.App and Scaffold (Sphinx's :inherited-members:, Javadoc's "Methods inherited from")."""
    write(git_repo, "web/__init__.py", "from .app import Flask\n\n__all__ = ['Flask']\n")
    write(git_repo, "web/scaffold.py", '''
        class Scaffold:
            """Common to apps and blueprints."""

            def route(self, rule):
                """Decorate a view function to register it for the rule."""

            def errorhandler(self, code):
                """Register a function to handle errors by code."""

            def _private(self):
                pass
    ''')
    write(git_repo, "web/app.py", '''
        from .scaffold import Scaffold


        class App(Scaffold):
            """The app without a server."""

            def register_blueprint(self, bp):
                """Register a blueprint."""

            def errorhandler(self, code):
                """Overrides Scaffold's."""


        class Flask(App):
            """The WSGI application."""

            def run(self):
                """Run the development server."""
    ''')
    _sync(git_repo)
    page = (git_repo / "docs/api/web.md").read_text()
    section = page[page.index('id="web.Flask"'):page.index('llmctl:end id="web.Flask"')]
    assert ("Inherited from [`App`](web.app.md#web.app.App): [`register_blueprint`](web.app.md#web.app.App."
            "register_blueprint), [`errorhandler`](web.app.md#web.app.App.errorhandler).") in section
    assert "Inherited from [`Scaffold`](web.scaffold.md#web.scaffold.Scaffold): [`route`](" in section
    assert "_private" not in section and section.count("errorhandler`](") == 1  # App's, the nearer one
    assert _sync(git_repo)["changed"] == []


def test_module_values_users_look_up_have_sections(git_repo: Path):
    """Flask's request, g and session are values (``request: RequestProxy = LocalProxy(…)``) and had no section;
    a value the package re-exports, lists in __all__ or documents where it stands (``#:``, a string after it)
    gets one, shown as a fact (never asked of the model); an undocumented helper value and a TypeVar do not."""
    write(git_repo, "web/__init__.py", "from .globals import request as request\nfrom .server import serve\n")
    write(git_repo, "web/globals.py", "import logging\nimport typing as t\n\nT = t.TypeVar('T')\n"
                                      "logger = logging.getLogger(__name__)\n\n\nclass Proxy:\n    \"\"\"A proxy.\"\"\"\n\n"
                                      "    #: The class proxied to.\n    target_class: type = object\n    cache = None\n\n\n"
                                      "request: Proxy = Proxy()\n")
    write(git_repo, "web/server.py", '"""Serving."""\n\n#: The port serve() listens on by default.\nDEFAULT_PORT = 8080\n\n'
                                     'TIMEOUT = 30\n"""Seconds a request may take."""\n\n\n'
                                     'def serve(port=DEFAULT_PORT):\n    """Serve forever."""\n')
    result = _sync(git_repo)
    assert result["gaps"] == 0
    ids = _ids(git_repo / "docs/api/web.md")
    assert "web.request" in ids and not [i for i in ids if i.endswith(("logger", ".T"))]
    # A class attribute documented where it stands (Flask's `#: The class that is used for request objects.`
    # over `request_class`) has a section among the class's members; an undocumented one does not.
    assert _ids(git_repo / "docs/api/web.globals.md") == ["web.globals.Proxy", "web.globals.Proxy.target_class"]
    page = (git_repo / "docs/api/web.md").read_text()
    assert "## `request` <small>variable</small>\n\n```python\nrequest: Proxy\n```" in page
    server = (git_repo / "docs/api/web.server.md").read_text()
    assert "DEFAULT_PORT = 8080\n```\n\nThe port serve() listens on by default." in server
    assert "TIMEOUT = 30\n```\n\nSeconds a request may take." in server
    assert _sync(git_repo)["changed"] == [] and run_cli("docs", "sync", "--check", cwd=git_repo).returncode == 0
    # The hook's GEN rules read the store, which has no symbol for a value: its section is not "gone".
    from llmctl.analyzers import analyze
    from llmctl.core.check.rules.generated import check_reference_partial

    from llmctl.core.project import open_project
    from llmctl.core.store.db import Store

    syms = analyze((git_repo / "web/server.py").read_bytes(), "web/server.py", "python").symbols
    with Store(open_project(git_repo).store_dir) as store:
        found = check_reference_partial(git_repo / "docs/api", "docs/api", syms, store.with_id, lambda s: True)
    assert [(f.rule, f.symbol) for f in found] == []


def test_a_rust_method_several_traits_implement_names_each(git_repo: Path):
    """semver's `Version::fmt` implements Display and Debug; the section named only the last one."""
    write(git_repo, "Cargo.toml", '[package]\nname = "semver"\nversion = "1.0.0"\n')
    write(git_repo, "src/lib.rs", "use std::fmt;\n\n/// A version.\npub struct Version;\n\n"
                                  "impl fmt::Display for Version {\n    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result "
                                  "{ Ok(()) }\n}\n\nimpl fmt::Debug for Version {\n    fn fmt(&self, f: &mut fmt::Formatter)"
                                  " -> fmt::Result { Ok(()) }\n}\n")
    _sync(git_repo)
    assert "Implements `fmt::Display`, `fmt::Debug` for `Version`." in (git_repo / "docs/api/semver.md").read_text()


def test_a_page_whose_module_left_the_api_is_deleted_unless_the_user_wrote_on_it(git_repo: Path):
    # Before, the top sync writes on a page stayed behind alone (gson's 34 internal pages).
    write(git_repo, "pkg/__init__.py", '"""Pkg."""\n')
    write(git_repo, "pkg/gone.py", "def one():\n    return 1\n")
    write(git_repo, "pkg/kept.py", '"""Kept."""\n\n\ndef two():\n    return 2\n')
    write(git_repo, "pkg/moved.py", '"""Moved."""\n\n\ndef three():\n    return 3\n')
    _sync(git_repo)
    api = git_repo / "docs/api"
    assert {"pkg.gone.md", "pkg.kept.md", "pkg.moved.md"} <= {p.name for p in api.glob("*.md")}
    (api / "pkg.kept.md").write_text((api / "pkg.kept.md").read_text() + "\nMy own notes.\n")
    (git_repo / "pkg/gone.py").unlink()  # deleted: its top is rebuilt from the page itself
    (git_repo / "pkg/moved.py").rename(git_repo / "pkg/_moved.py")
    (git_repo / "pkg/kept.py").rename(git_repo / "pkg/_kept.py")
    _sync(git_repo)
    assert not (api / "pkg.gone.md").exists()
    assert "My own notes." in (api / "pkg.kept.md").read_text()  # the user's text stays
    # A module with a doc comment whose file moved: its top is not rebuilt from the page, so it stays (safe).
    assert (api / "pkg.moved.md").exists() and "`two`" not in (api / "pkg.kept.md").read_text()
