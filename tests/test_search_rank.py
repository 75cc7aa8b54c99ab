"""What search covers and ranks first, on code written the way real repositories write it.

Coverage is measured on installed packages (real code nobody here wrote) and on
the JavaScript definition forms the analyzers do not record; ranking on small
repositories shaped like the failures seen on real ones: a README paraphrasing
the question, a test file repeating the implementation's words, a method whose
name contains the class name asked for.
"""

from __future__ import annotations

import json
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import run_cli, write

SITE = Path(sysconfig.get_paths()["purelib"])


def _chunks_of(path: Path, rel: str, language: str):
    from llmctl.analyzers import analyze
    from llmctl.core.search.chunks import file_chunks

    result = analyze(path.read_bytes(), rel, language)
    return file_chunks(path.parent, path.name, result.symbols, 200, language)


@pytest.mark.parametrize("package", ["click", "jinja2", "rich"])
def test_every_line_of_code_of_a_real_package_lies_in_a_chunk(package: str):
    covered = total = 0
    for path in sorted((SITE / package).rglob("*.py")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        spans = set()
        for c in _chunks_of(path, path.relative_to(SITE).as_posix(), "python"):
            spans.update(range(c.line, c.end_line + 1))
        code = [i for i, ln in enumerate(lines, 1) if ln.strip()]
        covered += sum(1 for i in code if i in spans)
        total += len(code)
    assert total > 1000
    assert covered / total >= 0.95, f"{package}: {covered}/{total}"


EXPRESS_STYLE = """\
'use strict';
var contentType = require('content-type');
var res = Object.create(http.ServerResponse.prototype);
module.exports = res;

/**
 * Send a response body, setting Content-Type and ETag.
 */
res.send = function send(body) {
  var chunk = body;
  this.set('Content-Type', 'text/html');
  return this.end(chunk);
};

Router.prototype.handle = function handle(req, res, out) {
  var idx = 0;
  next();
};

export const $ZodType = core.$constructor("$ZodType", (inst, def) => {
  inst._zod = def;
});

export default function (options) {
  return options;
}
"""
TS_STYLE = """\
export type RetryOptions = {
  limit?: number;
  methods?: string[];
};
export const STATUS_CODES = {
  200: 'OK',
  404: 'Not Found',
};
"""


def test_definition_forms_the_analyzers_do_not_record_get_named_chunks(tmp_path: Path):
    (tmp_path / "response.js").write_text(EXPRESS_STYLE)
    (tmp_path / "types.ts").write_text(TS_STYLE)
    js = _chunks_of(tmp_path / "response.js", "response.js", "javascript")
    ts = _chunks_of(tmp_path / "types.ts", "types.ts", "typescript")
    names = {c.symbol for c in js + ts}
    assert {"$ZodType", "STATUS_CODES"} <= names, names
    # express's `res.send = function send(…)` and `Router.prototype.handle = …` are symbols now (the
    # analyzer records CommonJS and prototype definitions), so their chunks are the symbols'.
    send = next(c for c in js if c.symbol == "response.res.send")
    assert send.kind == "function" and send.name == "send" and "this.end(chunk)" in send.text
    assert "response.Router.handle" in names
    # The file chunk carries the path and head of each file; every non-blank line is inside a chunk.
    assert {c.kind for c in js if c.line == 1} >= {"file"}
    for chunks, src in ((js, EXPRESS_STYLE), (ts, TS_STYLE)):
        spans = {i for c in chunks for i in range(c.line, c.end_line + 1)}
        assert all(i in spans for i, ln in enumerate(src.splitlines(), 1) if ln.strip())


def test_class_chunk_carries_an_outline_of_its_members(tmp_path: Path):
    (tmp_path / "pool.py").write_text(
        "class Pool:\n    '''Connections kept for reuse.'''\n\n    size = 4\n\n"
        "    def acquire(self, timeout: float = 1.0):\n        return 1\n\n"
        "    def release(self, conn):\n        pass\n")
    chunks = _chunks_of(tmp_path / "pool.py", "pool.py", "python")
    cls = next(c for c in chunks if c.symbol == "pool.Pool")
    assert cls.end_line == 5 and "def acquire(self, timeout: float = 1.0)" in cls.text and "release" in cls.text


@pytest.fixture
def client_repo(git_repo: Path) -> Path:
    write(git_repo, "aiohttp/client.py", '''
        class ClientRequest:
            """One HTTP request being prepared."""

            def session(self):
                """The ClientSession this request belongs to."""
                return self._session


        class ClientSession:
            """The first-class interface for making HTTP requests; keeps a connection pool."""

            def __init__(self, connector=None):
                self._connector = connector
    ''')
    write(git_repo, "aiohttp/completion.py", '''
        def bash_completion_script(prog: str) -> str:
            """Generate the bash completion script that completes the program's subcommands."""
            return f"complete -F _{prog} {prog}"


        def zsh_completion_script(prog: str) -> str:
            """Generate the zsh completion script."""
            return f"#compdef {prog}"
    ''')
    write(git_repo, "tests/test_completion.py", '''
        def test_bash_completion_generation():
            """Bash completion generation writes a complete -F line for the program."""
            assert "complete -F" in bash_completion_script("prog")
    ''')
    write(git_repo, "docs/completion.md", """
        # Shell completion

        ## Bash completion generation

        Bash completion generation: the library generates a bash completion script for your program.
        Source the generated bash completion script from your shell's startup file.
    """)
    return git_repo


def _search(root: Path, *args: str) -> list[dict]:
    proc = run_cli("search", *args, "--json", "-k", "10", cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["results"]


def test_ranking_puts_the_defining_code_first(client_repo: Path):
    run_cli("index", cwd=client_repo, check=True)
    # A symbol query: the class, not a method whose name and doc mention it.
    assert _search(client_repo, "ClientSession")[0]["symbol"] == "aiohttp.client.ClientSession"
    # Code before prose, and the implementation before its test, for a question in the docs' own words.
    hits = _search(client_repo, "bash completion generation")
    assert hits[0]["path"] == "aiohttp/completion.py", [h["path"] for h in hits]
    order = [h["path"] for h in hits]
    assert order.index("tests/test_completion.py") > 0 and "docs/completion.md" in order
    # ... unless the question asks for documentation, or --docs-only.
    assert _search(client_repo, "bash completion generation docs")[0]["path"] == "docs/completion.md"
    assert _search(client_repo, "completion", "--docs-only")[0]["kind"] == "doc"


def test_file_aggregation_and_diversity():
    from llmctl.core.search.rank import diversify, file_aggregate

    # A file's second and third good chunks add a saturating share to its best one.
    assert file_aggregate([1.0]) == 1.0
    assert 1.0 < file_aggregate([1.0, 0.9]) < file_aggregate([1.0, 0.9, 0.9]) < 1.5
    assert file_aggregate([1.0] + [0.9] * 50) == file_aggregate([1.0] + [0.9] * 3)
    # Three close chunks of one file do not push the next file's best chunk off the first places.
    order = diversify([(1.0, 0, "a.py"), (0.97, 1, "a.py"), (0.95, 2, "a.py"), (0.9, 3, "b.py")])
    assert [i for _, i in order][:2] == [0, 3]


def test_every_embedding_model_choice_indexes_and_answers(client_repo: Path):
    for model in ("static", "none"):
        write(client_repo, "llmctl.toml", f'[search]\nembed_model = "{model}"\n')
        stats = json.loads(run_cli("index", "--json", cwd=client_repo, check=True).stdout)
        assert stats["rebuilt"] in ("new index", "settings or model changed"), stats
        assert _search(client_repo, "ClientSession")[0]["symbol"] == "aiohttp.client.ClientSession", model
        assert _search(client_repo, "zsh completion")[0]["symbol"] == "aiohttp.completion.zsh_completion_script"


def test_static_model_is_distilled_once_and_embeds_by_meaning(tmp_path: Path, monkeypatch):
    import numpy as np

    from llmctl.core.search.embed import embedder_identity, load_embedder

    first = load_embedder("static")
    assert first.identity == embedder_identity("static") != embedder_identity("all-MiniLM-L6-v2")
    vecs = first.encode(["parse an http header line", "parseHttpHeader", "train a neural network", ""])
    assert vecs.shape == (4, first.dim) and np.allclose(np.linalg.norm(vecs[:3], axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]
    assert not vecs[3].any()  # an empty text has no direction


def test_a_stub_beside_its_module_ranks_below_it(git_repo: Path):
    """attrs keeps a .pyi stub beside each module; the stub (names and types, no code, no docs) was the top
    result for "How do I turn an attrs instance into a dict?". A stub without a .py twin is the API itself."""
    write(git_repo, "attr/_funcs.py", '''
        def asdict(inst, recurse=True, dict_factory=dict):
            """Return the attrs attribute values of an instance as a dict."""
            return dict_factory((a, getattr(inst, a)) for a in inst.__attrs_attrs__)
    ''')
    write(git_repo, "attr/_funcs.pyi", '''
        def asdict(inst: object, recurse: bool = ..., dict_factory: type[dict] = ...) -> dict[str, object]: ...
        def fields_dict(cls: type) -> dict[str, object]: ...
    ''')
    write(git_repo, "stubs_only/api.pyi", "def to_dict(inst: object) -> dict[str, object]: ...\n")
    run_cli("index", cwd=git_repo, check=True)
    order = [h["path"] for h in _search(git_repo, "turn an instance into a dict")]
    assert order.index("attr/_funcs.py") < order.index("attr/_funcs.pyi"), order
    assert order.index("stubs_only/api.pyi") < order.index("attr/_funcs.pyi"), order
