"""Python extraction: parameters, docstrings, visibility, nesting, hashes."""

from __future__ import annotations

import textwrap

from llmctl.analyzers import analyze
from llmctl.analyzers.symbols import KEYWORD_ONLY, POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_KEYWORD, VAR_POSITIONAL


def symbols(code: str, path: str = "pkg/mod.py"):
    res = analyze(textwrap.dedent(code).lstrip("\n").encode(), path, "python")
    return {s.id: s for s in res.symbols}, res


def test_parameters_kinds_defaults_annotations():
    syms, _ = symbols('''
        def f(a, b: int, /, c=1, *args: str, d, e: "E" = None, **kw) -> dict[str, int]:
            pass
    ''')
    f = syms["pkg.mod.f"]
    assert [(p.name, p.kind, p.default, p.annotation) for p in f.params] == [
        ("a", POSITIONAL_ONLY, None, None),
        ("b", POSITIONAL_ONLY, None, "int"),
        ("c", POSITIONAL_OR_KEYWORD, "1", None),
        ("args", VAR_POSITIONAL, None, "str"),
        ("d", KEYWORD_ONLY, None, None),
        ("e", KEYWORD_ONLY, "None", '"E"'),
        ("kw", VAR_KEYWORD, None, None),
    ]
    assert f.returns == "dict[str, int]"
    assert f.kind == "function" and f.line == 1 and f.end_line == 2


def test_bare_star_makes_keyword_only():
    syms, _ = symbols("def g(x, *, y=2): ...\n")
    assert [(p.name, p.kind) for p in syms["pkg.mod.g"].params] == [("x", POSITIONAL_OR_KEYWORD), ("y", KEYWORD_ONLY)]


def test_classes_methods_decorators_visibility_and_nesting():
    syms, _ = symbols('''
        """Module doc."""
        import typing

        @dataclass(frozen=True)
        class Outer(Base, metaclass=Meta):
            """Outer doc."""

            class Inner:
                def deep(self): ...

            @property
            def value(self) -> int:
                return 1

            def _hidden(self): ...

            def __len__(self): ...

            async def fetch(self, url): ...

        if typing.TYPE_CHECKING:
            def only_typing() -> None: ...
        else:
            def only_runtime() -> None: ...

        try:
            from fast import speedy
        except ImportError:
            def speedy(): ...

        def _private():
            def nested_is_not_api(): ...
    ''')
    assert syms["pkg.mod"].kind == "module" and syms["pkg.mod"].doc.summary == "Module doc."
    outer = syms["pkg.mod.Outer"]
    assert outer.kind == "class" and outer.decorators == ["dataclass(frozen=True)"]
    assert outer.signature == "class Outer(Base, metaclass=Meta)"
    assert syms["pkg.mod.Outer.Inner.deep"].kind == "method"
    assert syms["pkg.mod.Outer.value"].decorators == ["property"]
    assert syms["pkg.mod.Outer._hidden"].visibility == "private"
    assert syms["pkg.mod.Outer.__len__"].visibility == "public"
    assert syms["pkg.mod.Outer.fetch"].signature.startswith("async def fetch(self, url)")
    assert {"pkg.mod.only_typing", "pkg.mod.only_runtime", "pkg.mod.speedy"} <= set(syms)
    assert "pkg.mod._private" in syms and syms["pkg.mod._private"].visibility == "private"
    # A function nested in a function is recorded (its doc comment is checked), never as API.
    nested = [s for k, s in syms.items() if k.endswith("nested_is_not_api")]
    assert len(nested) == 1 and nested[0].visibility == "private" and not nested[0].is_public


def test_module_ids_follow_python_packages():
    assert symbols("x = 1\n", "src/pkg/__init__.py")[0].keys() == {"pkg"}
    assert "pkg.sub.mod" in symbols("x = 1\n", "pkg/sub/mod.py")[0]
    # a private module keeps everything in it private
    syms, _ = symbols("def f(): ...\n", "pkg/_compat.py")
    assert syms["pkg._compat.f"].visibility == "private"


def test_google_numpy_sphinx_docstrings():
    syms, _ = symbols('''
        def google(a, b):
            """Do the thing. More words here.

            Args:
                a (int): First one.
                b: Second one,
                    continued.

            Returns:
                bool: Whether it worked.

            Raises:
                ValueError: When a is bad.
            """

        def numpy(x, y):
            """Compute things.

            Parameters
            ----------
            x : array_like
                The input.
            y : int, optional
                A count.

            Returns
            -------
            ndarray
                The output.

            Raises
            ------
            KeyError
                If missing.
            """

        def sphinx(p, q):
            """Sphinx style.

            :param int p: The p.
            :param q: The q.
            :type q: str
            :returns: A result.
            :rtype: float
            :raises TypeError: On bad type.
            """
    ''')
    g = syms["pkg.mod.google"].doc
    assert g.style == "google" and g.summary == "Do the thing."
    assert [(p.name, p.type, p.description) for p in g.params] == [
        ("a", "int", "First one."), ("b", None, "Second one, continued.")]
    assert (g.returns.type, g.returns.description) == ("bool", "Whether it worked.")
    assert [(r.type, r.description) for r in g.raises] == [("ValueError", "When a is bad.")]

    n = syms["pkg.mod.numpy"].doc
    assert n.style == "numpy" and n.summary == "Compute things."
    assert [(p.name, p.type, p.description) for p in n.params] == [
        ("x", "array_like", "The input."), ("y", "int, optional", "A count.")]
    assert (n.returns.type, n.returns.description) == ("ndarray", "The output.")
    assert [r.type for r in n.raises] == ["KeyError"]

    s = syms["pkg.mod.sphinx"].doc
    assert s.style == "sphinx" and s.summary == "Sphinx style."
    assert [(p.name, p.type, p.description) for p in s.params] == [("p", "int", "The p."), ("q", "str", "The q.")]
    assert (s.returns.type, s.returns.description) == ("float", "A result.")
    assert [(r.type, r.description) for r in s.raises] == [("TypeError", "On bad type.")]


def test_markdown_parameter_lists_are_parameters():
    # httpx's style: a bold header and bullets at the header's indentation, wrapped lines too; and
    # transformers'/torch's bullets under Google's "Args:". Before, httpx's were a plain description,
    # so docs sync asked the model to describe parameters the maintainers had described.
    syms, _ = symbols('''
        def request(method, url, *, verify=True):
            """
            Sends an HTTP request.

            **Parameters:**

            * **method** - HTTP method for the new `Request` object: `GET`,
            `HEAD`, or `POST`.
            * **url** - URL for the new `Request` object.
            * **verify** - *(optional)* Either `True` or an SSL context.

            **Returns:** `Response`

            Usage:

            ```
            >>> request("GET", "https://example.org")
            ```
            """

        def get(url):
            """
            Sends a `GET` request.

            **Parameters**: See `httpx.request`.
            """

        def mask_iou(pred_masks, gt_masks):
            """Compute the IoU.

            Args:
              - pred_masks: (N, H, W) bool Tensor.
              - `gt_masks` (Tensor): ground truth masks
            Returns:
              - If both are empty, an empty tensor.
            """
    ''')
    r = syms["pkg.mod.request"].doc
    assert r.style == "google" and r.summary == "Sends an HTTP request."
    assert [(p.name, p.description) for p in r.params] == [
        ("method", "HTTP method for the new `Request` object: `GET`, `HEAD`, or `POST`."),
        ("url", "URL for the new `Request` object."), ("verify", "*(optional)* Either `True` or an SSL context.")]
    assert r.returns.type == "Response" and "Usage:" in r.description and "**method**" not in r.description
    g = syms["pkg.mod.get"].doc
    assert g.params == [] and not g.has_sections  # a pointer elsewhere names no parameter
    m = syms["pkg.mod.mask_iou"].doc
    assert [(p.name, p.type, p.description) for p in m.params] == [
        ("pred_masks", None, "(N, H, W) bool Tensor."), ("gt_masks", "Tensor", "ground truth masks")]
    assert m.returns.type is None and m.returns.description.startswith("- If both are empty")


def test_body_hash_ignores_whitespace_only_edits():
    base = "def f(a, b):\n    x = g(a,\n          b)\n    if x:\n        return 1\n    return 2\n"
    same = "def f(a, b):\n\n  x = g(a, b)\n  if x:\n      return 1   \n  return 2\n"
    moved = "def f(a, b):\n    x = g(a,\n          b)\n    if x:\n        return 1\n        return 2\n"
    changed = "def f(a, b):\n    x = g(a,\n          b)\n    if x:\n        return 1\n    return 3\n"
    h = lambda code: symbols(code)[0]["pkg.mod.f"]  # noqa: E731
    assert h(base).body_hash == h(same).body_hash
    assert h(base).body_hash != h(moved).body_hash  # a statement moved into the block
    assert h(base).body_hash != h(changed).body_hash
    assert h(base).sig_hash == h(changed).sig_hash


def test_hashes_separate_signature_doc_and_body():
    a = symbols('def f(a):\n    """Doc."""\n    return a\n')[0]["pkg.mod.f"]
    b = symbols('def f(a):\n    """Other doc."""\n    return a\n')[0]["pkg.mod.f"]
    c = symbols('def f(a, b=1):\n    """Doc."""\n    return a\n')[0]["pkg.mod.f"]
    assert a.body_hash == b.body_hash and a.sig_hash == b.sig_hash and a.doc_hash != b.doc_hash
    assert a.sig_hash != c.sig_hash and a.body_hash == c.body_hash


def test_class_body_hash_follows_its_methods():
    one = symbols("class C:\n    def m(self):\n        return 1\n")[0]["pkg.mod.C"]
    two = symbols("class C:\n    def m(self):\n        return 2\n")[0]["pkg.mod.C"]
    spaced = symbols("class C:\n\n    def m(self):\n        return   1\n")[0]["pkg.mod.C"]
    assert one.body_hash != two.body_hash
    assert one.body_hash == spaced.body_hash


def test_syntax_errors_keep_what_is_recoverable():
    syms, res = symbols('''
        def good(a):
            """Fine."""
            return a

        def broken(:
            pass

        class Later:
            def ok(self): ...
    ''')
    assert res.has_errors
    assert "pkg.mod.good" in syms and syms["pkg.mod.good"].doc.summary == "Fine."
    assert "pkg.mod.Later.ok" in syms


def test_comments_in_a_wrapped_signature_are_not_part_of_it():
    # werkzeug's `def get(  # type: ignore[misc]` rendered as "def get(# type: ignore[misc] self, key...".
    syms, _ = symbols('''
        def loads(  # type: ignore[override]
            self,
            s: str,  # the payload
            salt: str = "#not-a-comment",
        ) -> int:
            pass
    ''')
    assert syms["pkg.mod.loads"].signature == 'def loads(self, s: str, salt: str = "#not-a-comment") -> int'
    ts = analyze(b"export type Progress = {\n  /** Between 0 and 1. */\n  percent: number; // share\n};\n",
                 "p.ts", "typescript").symbols
    assert next(s for s in ts if s.name == "Progress").signature == "type Progress = { percent: number; }"
