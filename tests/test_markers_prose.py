"""Pure parts of docs sync: markers and merging, answer cleaning and validation, examples."""

from __future__ import annotations

from llmctl.analyzers import analyze
from llmctl.core.docs.markers import merge, parse_page, wrap
from llmctl.core.docs.answers import clean_answer, validate
from llmctl.core.docs.prose import name_words, needs


def blocks(*ids: str) -> list[tuple[str, str]]:
    return [(i, wrap(i, {"sig": i[-1]}, f"### {i}")) for i in ids]


def test_merge_keeps_user_text_byte_for_byte_and_places_new_sections():
    first = merge(None, blocks("m.a", "m.b"), "# Title\n")
    edited = first.replace("# Title\n", "# Title\n\nIntro *mine*.\n") + "Footer, mine.\n"
    edited = edited.replace(blocks("m.b")[0][1], blocks("m.b")[0][1] + "\n\nNote on b.\n")
    assert merge(parse_page(edited), blocks("m.a", "m.b")) == edited  # stable
    grown = merge(parse_page(edited), blocks("m.a", "m.c", "m.b"))
    for mine in ("Intro *mine*.", "Note on b.", "Footer, mine."):
        assert mine in grown
    assert grown.index("m.a") < grown.index("m.c") < grown.index("m.b") < grown.index("Note on b.")
    shrunk = merge(parse_page(edited), blocks("m.a"))
    assert "m.b" not in shrunk and "Note on b." in shrunk and "Footer, mine." in shrunk


def test_parse_page_reads_marker_attributes_and_ignores_unterminated_blocks():
    text = wrap("x.y", {"sig": "1", "doc": "2"}, "body") + "\n<!-- llmctl:begin id=\"z\" -->\nno end\n"
    page = parse_page(text)
    assert [(b.id, b.attrs) for b in page.blocks] == [("x.y", {"sig": "1", "doc": "2"})]
    assert "no end" in page.parts[-1]


def test_clean_answer_takes_one_sentence_and_tidies():
    assert clean_answer(" compute the total. It also logs.\nCode:", "summary") == "Compute the total."
    assert clean_answer("Summary: Return the value", "summary") == "Return the value."
    assert clean_answer("", "summary") == ""
    assert clean_answer("This function will return the default value", "summary") == "Return the default value."
    assert clean_answer("The method returns a list of names.", "summary") == "Returns a list of names."


def test_validate_rejects_garbage_code_and_unknown_names():
    sym = analyze(b"def ship(order, carrier=None):\n    pass\n", "m.py", "python").symbols[1]
    assert validate("Ship an order with a carrier.", sym, "summary") is None
    assert validate("Ship the `order` now.", sym, "summary") is None
    assert validate("", sym, "summary") == "empty"
    assert validate("Ship.", sym, "summary") == "too short"
    assert validate("return order.ship()", sym, "summary") == "looks like code"
    assert validate("```python ship()```", sym, "summary") == "looks like code"
    assert validate("ship(order, carrier).", sym, "summary") == "looks like code"  # the call echoed back
    assert validate("Ship an order (with a carrier).", sym, "summary") is None
    assert "signature does not have" in validate("Ship using `tracking_id`.", sym, "summary")
    assert "signature does not have" in validate("Uses retry_count to ship.", sym, "summary")
    assert validate("word " * 50, sym, "summary") == "too long"
    # An answer that only restates the name says nothing the heading does not ("A LocalProtocolError.", h11).
    error = analyze(b"class LocalProtocolError(Exception):\n    pass\n", "m.py", "python").symbols[1]
    assert validate("A LocalProtocolError.", error, "summary") == "restates its name"
    assert validate("An error in the local protocol.", error, "summary") == "restates its name"
    assert validate("Raised when the peer breaks the protocol.", error, "summary") is None
    assert validate("The carrier.", sym, "param:carrier") == "restates its name"
    assert validate("The carrier that ships it.", sym, "param:carrier") is None


def test_needs_asks_only_for_what_the_doc_lacks():
    src = b'''
class C:
    def documented(self, a, b):
        """Do it.

        Args:
            a: The a.
        """
    def bare(self, x): ...
'''
    syms = {s.id: s for s in analyze(src, "m.py", "python").symbols}
    assert [r.field for r in needs(syms["m.C.documented"], "all")] == ["param:b"]
    assert [r.field for r in needs(syms["m.C.bare"], "all")] == ["summary", "param:x"]
    assert [r.field for r in needs(syms["m.C.bare"], "summaries")] == ["summary"]
    assert needs(syms["m.C.bare"], "none") == []


def test_name_words_split_snake_and_camel():
    assert name_words("parse_http_header") == ["parse", "http", "header"]
    assert name_words("parseHTTPHeader") == ["parse", "http", "header"]


def test_search_chunks_of_a_generated_page_name_the_symbol_whose_block_holds_the_heading():
    from llmctl.core.search.chunks import markdown_chunks

    page = "# inventory.stock\n\nStock keeping.\n\n" + "\n\n".join(
        wrap(sid, {"sig": "1"}, f"## `{sid}`\n\nWhat {sid} does, in several words.")
        for sid in ("engine.Rule", "engine.Rule.apply")) + "\n"
    chunks = markdown_chunks("docs/api/engine.md", page, 50)
    assert [c.symbol for c in chunks] == ["docs/api/engine.md#inventorystock", "engine.Rule", "engine.Rule.apply"]


def test_hook_and_cli_print_the_same_error_line(tmp_path):
    import subprocess
    import sys

    from conftest import git, run_cli

    git(tmp_path, "init", "-q")
    (tmp_path / "llmctl.toml").write_text("[check]\nfail_on = 'never'\n")
    cli = run_cli("docs", "check", "--staged", cwd=tmp_path)
    hook = subprocess.run([sys.executable, "-c", "from llmctl.hooks.run import main; main()"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert cli.returncode == hook.returncode == 2
    assert cli.stderr.strip() == hook.stderr.strip() and cli.stderr.startswith("llmctl: error: ")


def test_an_answer_that_repeats_a_few_shot_example_is_refused():
    from llmctl.core.docs.answers import copied

    prompt = "\n".join([
        "def get_root_path(import_name):",
        "    ...",
        "Summary: Get the root path of a package, or the path that contains a module.",
        "Parameter `import_name`: The name of the module.",
        "",
        "def __get__(self, obj, type=None):",
        "    ...",
    ])
    assert copied("Get the root path of a package, or the path that contains a module.", prompt)
    assert copied("Get the root path of a package or the path that contains the module.", prompt)
    assert copied("The name of the module.", prompt)
    assert not copied("Return the attribute's value from the instance's config.", prompt)


def _scanned(root, src: str):
    """A project of one file ``m.py``, scanned: (project, its symbols)."""
    from conftest import write
    from llmctl.core.project import open_project
    from llmctl.core.store.db import Store
    from llmctl.core.store.scan import scan

    write(root, "m.py", src)
    project = open_project(root)
    scan(project)
    with Store(project.store_dir) as store:
        return project, list(store.symbols())


def test_parameter_prompts_follow_a_summary_written_on_an_earlier_run(tmp_path, monkeypatch):
    """generate = "summaries", then "all": the parameter lines are asked after the cached summary, as they
    would have been on one run (before, the later run's prompts had no summary line)."""
    from contextlib import ExitStack

    from llmctl.core.docs import generate
    from llmctl.core.docs.prose import ProseCache, request_key, Request
    from llmctl.core.docs.templates import Templates
    from llmctl.core.model.connect import model_identity_for

    project, symbols = _scanned(tmp_path, "def fold(text, width):\n    return text[:width]\n")
    fold = next(s for s in symbols if s.name == "fold")
    tpl = Templates(project)
    identity = model_identity_for(project)
    cache = ProseCache(project.store_dir / "prose.db")
    cache.put(request_key(identity, tpl.source("prompt_symbol.j2"), Request(fold, "summary")), "Cut text to a width.",
              identity, -0.2)
    cache.close()

    class Recorder:
        """Records the prompts sent; answers as a model would."""
        calls = 0
        prompts: list[str] = []

        def complete_scored(self, prompt, **_kw):
            self.prompts.append(prompt)
            self.calls += 1
            return f" The {prompt.rsplit('`', 2)[-2]} to use.", -0.3

    recorder = Recorder()
    monkeypatch.setattr("llmctl.core.model.connect.connect", lambda *_a, **_k: recorder)
    with ExitStack() as stack:
        prose, _stats = generate.gather_prose(project, needs(fold, "all"), symbols, tpl, stack, ask_model=True)
    assert prose[(fold.id, "summary")] == "Cut text to a width."
    assert [p.rsplit("Code:", 1)[1].split("\n", 3)[-1] for p in recorder.prompts] == [
        "Summary: Cut text to a width.\nParameter `text`:",
        "Summary: Cut text to a width.\nParameter `text`: The text to use.\nParameter `width`:"]


def test_a_retrained_adapter_of_the_same_size_is_another_model_for_the_prose_cache(tmp_path):
    from llmctl.core.model.files import model_identity

    base = tmp_path / "base.gguf"
    base.write_bytes(b"GGUF" + bytes(60))
    old, new = tmp_path / "old" / "doc-lora.gguf", tmp_path / "new" / "doc-lora.gguf"
    for path, fill in ((old, b"a"), (new, b"b")):
        path.parent.mkdir()
        path.write_bytes(b"GGUF" + fill * 60)
    assert model_identity(base, old) != model_identity(base, new)
    assert model_identity(base, old) == model_identity(base, old.parent / "doc-lora.gguf")


def test_an_answer_that_only_restates_its_class_or_module_line_is_refused():
    from llmctl.core.docs.answers import echoes_context

    prompt = "Each Go definition …\n\nModule `gin`.\nClass `IRoutes`: IRoutes defines all router handle interface.\nCode:\n"
    assert echoes_context("A router handle interface.", prompt)  # said of eleven route methods of gin
    assert not echoes_context("Register a route for GET requests.", prompt)
    assert not echoes_context("Interface.", prompt)  # one word: too little to call a copy
    jinja = "Module `jinja2.parser`: Parse tokens from the lexer into nodes for the compiler.\nCode:\n"
    assert echoes_context("Parse all tokens from the lexer into nodes for the compiler.", jinja)  # parse_and
    assert echoes_context("Parse a token from the lexer into a node.", jinja)  # parse_postfix
    assert not echoes_context("Parse an and expression from the tokens.", jinja)


def test_python_special_methods_are_summarised_by_the_syntax_that_calls_them_not_by_the_model():
    # Read by hand on httpx, the model got 4 of 15 wrong ("Set a cookie value by name." for
    # Cookies.__init__); the syntax is a fact.
    from llmctl.core.docs.prose import called_by, protocol_method

    src = b'''
class QueryParams:
    def __init__(self, *args): ...
    def __len__(self): ...
    def __str__(self):
        """The query string, encoded."""
    def copy_set(self, key, value): ...
    def __getattr__(self, name): ...
    def __rich_console__(self, console, options): ...
'''
    syms = {s.name: s for s in analyze(src, "m.py", "python").symbols}
    assert called_by(syms["__getattr__"]) == "Called by `query_params.name`."
    # A library's own protocol method (rich's): its meaning is the protocol's, not the code's; nothing is asked.
    assert called_by(syms["__rich_console__"]) is None and protocol_method(syms["__rich_console__"])
    assert not protocol_method(syms["__len__"])
    assert [r.field for r in needs(syms["__rich_console__"], "summaries")] == []
    assert called_by(syms["__len__"]) == "Called by `len(query_params)`."
    assert called_by(syms["__init__"]) == "Called by `QueryParams(...)`."
    assert called_by(syms["copy_set"]) is None
    assert [r.field for r in needs(syms["__len__"], "all")] == []  # no summary, no parameters to ask
    assert [r.field for r in needs(syms["__init__"], "all")] == ["param:args"]
    assert [r.field for r in needs(syms["__str__"], "all")] == []  # documented: its own doc speaks
    assert [r.field for r in needs(syms["copy_set"], "all")] == ["summary", "param:key", "param:value"]


def test_a_special_methods_section_says_how_it_is_called(tmp_path):
    from conftest import run_cli, write

    write(tmp_path, "pyproject.toml", '[project]\nname = "bag"\n')
    write(tmp_path, "bag/__init__.py", '"""Bags."""\n\n\nclass Bag:\n    """A bag of things."""\n\n'
                                       '    def __len__(self):\n        return 0\n')
    run_cli("docs", "sync", "--no-model", cwd=tmp_path, check=True)
    page = (tmp_path / "docs/api/bag.md").read_text()
    section = page[page.index('id="bag.Bag.__len__"'):]
    assert "Called by `len(bag)`." in section[:section.index("llmctl:end")] and "gaps=" not in section.split("\n")[0]


def test_a_flags_description_is_made_to_start_with_whether(tmp_path, monkeypatch):
    # The model described httpx's `http1: bool` as "The http1 proxy to use."; started with "Whether" it
    # reads as a condition (bench/docgen --params, flags: cosine 0.473 -> 0.520 to the real text).
    from contextlib import ExitStack

    from llmctl.core.docs import generate
    from llmctl.core.docs.prose import Request
    from llmctl.core.docs.templates import Templates

    project, symbols = _scanned(tmp_path, 'def fetch(url: str, strict=False, http1: bool = True):\n    """Fetch a page."""\n')
    fetch = next(s for s in symbols if s.name == "fetch")
    assert [Request(fetch, f"param:{n}").lead for n in ("url", "strict", "http1")] == ["", "Whether", "Whether"]

    class Model:
        calls = 0
        prompts: list[str] = []

        def complete_scored(self, prompt, **_kw):
            self.prompts.append(prompt)
            return (" to fail on errors." if prompt.endswith("Whether") else " The address."), -0.3

    model = Model()
    monkeypatch.setattr("llmctl.core.model.connect.connect", lambda *_a, **_k: model)
    with ExitStack() as stack:
        prose, _ = generate.gather_prose(project, needs(fetch, "all"), symbols, Templates(project), stack,
                                         ask_model=True)
    assert prose[(fetch.id, "param:url")] == "The address."
    assert prose[(fetch.id, "param:strict")] == "Whether to fail on errors."
    assert model.prompts[1].endswith("Parameter `url`: The address.\nParameter `strict`: Whether")


def test_switching_generate_to_summaries_drops_generated_parameter_descriptions(tmp_path):
    # The setting is part of each section's tpl= hash, like min_confidence: a re-render from the cache.
    from conftest import run_cli, write
    from llmctl.core.docs.prose import ProseCache, Request, request_key
    from llmctl.core.docs.templates import Templates
    from llmctl.core.model.connect import model_identity_for

    write(tmp_path, "llmctl.toml", '[docs]\ngenerate = "all"\n')
    project, symbols = _scanned(tmp_path, 'def fold(text, width):\n    """Cut text to a width."""\n')
    fold = next(s for s in symbols if s.name == "fold")
    cache = ProseCache(project.store_dir / "prose.db")
    identity, tpl_text = model_identity_for(project), Templates(project).source("prompt_symbol.j2")
    for name in ("text", "width"):
        cache.put(request_key(identity, tpl_text, Request(fold, f"param:{name}")), f"The {name} it cuts.", identity, -0.2)
    cache.close()
    run_cli("docs", "sync", "--no-model", cwd=tmp_path, check=True)
    page = tmp_path / "docs/api/m.md"
    assert "| The width it cuts. *(generated)* |" in page.read_text()
    write(tmp_path, "llmctl.toml", '[docs]\ngenerate = "summaries"\n')
    run_cli("docs", "sync", "--no-model", cwd=tmp_path, check=True)
    assert "The width it cuts." not in page.read_text() and "Cut text to a width." in page.read_text()


def test_a_rust_trait_implementation_is_summarised_by_its_trait():
    # walkdir/anyhow: the model wrote "Write a string to the file." for a Debug::fmt and "Return the next
    # item in the chain." for a next_back; the trait says what they do.
    from llmctl.core.docs.prose import called_by

    src = b'''
pub struct Chain;

impl Chain {
    pub fn new() -> Self { Chain }
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { Ok(()) }
}
'''
    syms = {s.name: s for s in analyze(src, "src/lib.rs", "rust").symbols}
    assert called_by(syms["fmt"]) == "Implements `fmt::Debug` for `Chain`."
    assert called_by(syms["new"]) is None
    assert [r.field for r in needs(syms["fmt"], "summaries")] == []
    assert [r.field for r in needs(syms["new"], "summaries")] == ["summary"]


def test_a_summary_that_repeats_a_differently_named_callees_is_refused():
    from llmctl.core.docs.answers import repeats_callee

    prompt = ("Each Java definition …\n\nClass `CodeBlock.Builder`: A builder of code blocks.\n"
              "Calls `CodeBlock.Builder.add`: Add code with positional or relative arguments.\nCode:\n")
    # javapoet's beginControlFlow calls add and was given add's summary
    assert repeats_callee("Add code with positional or relative arguments.", prompt, "beginControlFlow")
    assert not repeats_callee("Add code with positional or relative arguments.", prompt, "add")  # an overload
    assert not repeats_callee("Begin a control flow block.", prompt, "beginControlFlow")


def test_a_javascript_constructor_is_summarised_by_new():
    from llmctl.core.docs.prose import called_by

    src = b"/** An HTTP error. */\nexport class HTTPError extends Error {\n  constructor(response) {\n    super('x');\n  }\n}\n"
    syms = {s.name: s for s in analyze(src, "m.ts", "typescript").symbols}
    assert called_by(syms["constructor"]) == "Called by `new HTTPError(...)`."


def test_a_summary_that_repeats_a_members_doc_comment_is_refused():
    from llmctl.core.docs.answers import repeats_member

    prompt = ("Each TypeScript definition …\nCode:\nexport type Progress = {\n\t/**\n\tA number between `0` and `1`.\n\t*/\n"
              "\tpercent: number;\n\t/**\n\tThe number of bytes transferred so far.\n\t*/\n\ttransferredBytes: number;\n")
    assert repeats_member("The number of bytes transferred so far.", prompt)  # ky's Progress got its field's doc
    assert not repeats_member("The progress of a request or a response.", prompt)


def test_a_changed_prompt_template_rerenders_sections_whose_code_did_not_change(tmp_path):
    # Answers are cached by prompt; a section kept by its code hashes would show an answer to the
    # old prompt forever (and never ask the new one), so the prompt is part of the tpl= hash.
    from conftest import run_cli, write
    from llmctl.core.docs.templates import Templates

    write(tmp_path, "llmctl.toml", '[docs]\ntemplates_dir = "tpl"\n')
    project, _ = _scanned(tmp_path, 'def fold(text, width):\n    return text[:width]\n')
    before = Templates(project).page_hash()
    run_cli("docs", "sync", "--no-model", cwd=tmp_path, check=True)
    write(tmp_path, "tpl/prompt_symbol.j2", "Write a summary.\n\nCode:\n{{ code }}\n")
    assert Templates(project).page_hash() != before
    assert '"sections_rendered": 1' in run_cli("docs", "sync", "--no-model", "--json", cwd=tmp_path, check=True).stdout


def test_docs_sync_says_why_a_protocol_method_has_no_summary(tmp_path):
    import json

    from conftest import run_cli, write

    write(tmp_path, "pyproject.toml", '[project]\nname = "box"\n')
    write(tmp_path, "box.py", '"""Boxes."""\n\n\nclass Box:\n    """A box."""\n\n'
                              '    def __rich_console__(self, console, options):\n        yield "box"\n')
    out = json.loads(run_cli("docs", "sync", "--no-model", "--json", cwd=tmp_path, check=True).stdout)
    assert out["gap_reasons"] == {"a library's protocol method: not asked": 1} and out["gaps"] == 1
