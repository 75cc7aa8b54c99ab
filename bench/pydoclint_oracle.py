"""pydoclint's own test data as an oracle for `llmctl docs check`: recall per family, and llmctl's extra findings.

Usage: python bench/pydoclint_oracle.py [--data DIR] [--show FAMILY] [--extras]

``--data`` is the ``tests/test_data`` folder of a clone of
https://github.com/jsh9/pydoclint (default ``$LLMCTL_REALCODE/pydoclint/...``
or ``/work/real/pydoclint/tests/test_data``). Every ``.py`` file under its
``google``, ``numpy`` and ``sphinx`` folders is checked twice: by pydoclint
(the installed version, through its ``_checkFile`` API, at its default options
with that folder's ``--style``; the ``arg_defaults`` folder also with
``--check-arg-defaults``) -- these are pydoclint's expectations -- and by llmctl
(``run_check`` on a one-file project, with the matching options). Both sides
become (file, function, family) items; pydoclint's codes and llmctl's map onto
the families below by meaning. Printed: per family, pydoclint's count, the
share llmctl also reports (recall), and llmctl's findings pydoclint does not
make (extra), with ``--show FAMILY`` listing the misses and extras.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

# family: (pydoclint codes, llmctl codes)
FAMILIES = {
    "argument missing from doc": ({"DOC101", "DOC103-sig"}, {"DOC102"}),
    "documented argument not in signature": ({"DOC102", "DOC103-doc"}, {"DOC101"}),
    "argument order": ({"DOC104"}, {"DOC104"}),
    "argument type mismatch": ({"DOC105"}, {"DOC103"}),
    "argument default mismatch": ({"DOC105-default"}, {"DOC105"}),
    "Returns missing": ({"DOC201"}, {"DOC202"}),
    "Returns documented, nothing returned": ({"DOC202"}, {"DOC201"}),
    "return type mismatch": ({"DOC203"}, {"DOC203"}),
    "Yields missing": ({"DOC402"}, {"DOC204"}),
    "Yields documented, not a generator": ({"DOC403"}, {"DOC205"}),
    "yield type mismatch": ({"DOC404"}, {"DOC206"}),
    "raise without Raises section": ({"DOC501"}, {"DOC302"}),
    "documented exception never raised": ({"DOC502"}, {"DOC301"}),
    "Raises section vs body": ({"DOC503"}, {"DOC303"}),
    "__init__ has its own docstring": ({"DOC301"}, {"DOC501"}),
    "class docstring has Returns": ({"DOC302"}, {"DOC502"}),
    "__init__ docstring has Returns": ({"DOC303"}, {"DOC503"}),
    "class docstring has Raises/Yields": ({"DOC305", "DOC306"}, {"DOC505", "DOC506"}),
    "__init__ docstring has Yields": ({"DOC307"}, {"DOC507"}),
    "class attribute missing from doc": ({"DOC601", "DOC603-sig"}, {"DOC602"}),
    "documented attribute not in class": ({"DOC602", "DOC603-doc"}, {"DOC601"}),
    "attribute order / type": ({"DOC604", "DOC605"}, {"DOC604", "DOC605"}),
}
# llmctl's options where its defaults differ from pydoclint's, set to pydoclint's for the comparison.
PYDOCLINT_OPTIONS = {"star_notation": "stars", "kwargs_options": False, "type_presence": True, "type_match": "strict"}
_NAME = re.compile(r"^(?:Method|Function|Class) `([^`]+)`")


def _pydoclint_items(path: Path, style: str, defaults: bool) -> set[tuple[str, str]]:
    from pydoclint.main import _checkFile

    out = set()
    for v in _checkFile(path, style=style, checkArgDefaults=defaults):
        code = v.code if isinstance(v.code, str) else f"DOC{v.code}"
        m = _NAME.match(v.msg)
        name = m.group(1) if m else f"line {v.line}"
        if code == "DOC103":
            if "in the function signature but not in the docstring" in v.msg or "in the signature but" in v.msg:
                out.add((name, "DOC103-sig"))
            if "in the docstring but not in the function signature" in v.msg:
                out.add((name, "DOC103-doc"))
            continue
        if code == "DOC603":
            if "actual class attributes but not in the docstring" in v.msg or "class def but not in" in v.msg:
                out.add((name, "DOC603-sig"))
            if "docstring but not in" in v.msg:
                out.add((name, "DOC603-doc"))
            continue
        if code == "DOC503" and "Raised exceptions in the docstring: []" in v.msg:
            code = "DOC501"  # pydoclint says it twice when there is no Raises section; one meaning
        if code == "DOC105" and defaults and "default" in v.msg.lower():
            code = "DOC105-default"
        out.add((name, code))
    return out


def _llmctl_items(path: Path, style: str, defaults: bool) -> set[tuple[str, str]]:
    from llmctl.core.check.run import run_check
    from llmctl.core.config import Config
    from llmctl.core.project import Project

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copy(path, root / "case.py")
        cfg = Config(check={**PYDOCLINT_OPTIONS, "check_arg_defaults": defaults})
        result = run_check(Project(root=root, config=cfg, store_override=root / ".llmctl", use_git=False))
    # Class-vs-__init__ findings sit on __init__ here, on the class in pydoclint.
    return {(f.symbol.removeprefix("case.").removesuffix(".__init__") if f.rule.startswith("DOC5") else
             f.symbol.removeprefix("case."), f.rule) for f in result.findings}


def _family(code: str, side: int) -> str | None:
    for fam, codes in FAMILIES.items():
        if code in codes[side]:
            return fam
    return None


def main() -> None:
    """Run both checkers over the test data and print recall per family."""
    default = Path(os.environ.get("LLMCTL_REALCODE", "/work/real")) / "pydoclint" / "tests" / "test_data"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default)
    ap.add_argument("--show", default="", help="list misses and extras of this family")
    args = ap.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data}: no pydoclint test data (clone https://github.com/jsh9/pydoclint)")
    expected: dict[str, set] = defaultdict(set)
    found: dict[str, set] = defaultdict(set)
    files = 0
    for style in ("google", "numpy", "sphinx"):
        for path in sorted((args.data / style).rglob("*.py")):
            files += 1
            for defaults in ([False, True] if "arg_defaults" in path.parts and style != "sphinx" else [False]):
                key = f"{path.relative_to(args.data)}{' [arg defaults]' if defaults else ''}"
                for name, code in _pydoclint_items(path, style, defaults):
                    fam = _family(code, 0)
                    if fam:
                        expected[fam].add((key, name))
                for name, code in _llmctl_items(path, style, defaults):
                    fam = _family(code, 1)
                    if fam:
                        # pydoclint names a function nested in a function by its own name only.
                        short = name.rsplit(".", 1)[-1]
                        found[fam].add((key, short if (key, short) in expected[fam] else name))
    print(f"{files} files of pydoclint's test data (google, numpy, sphinx)\n")
    print(f"{'family':<40} {'pydoclint':>9} {'recall':>7} {'extra':>6}")
    for fam in FAMILIES:
        exp, got = expected[fam], found[fam]
        recall = len(exp & got) / len(exp) if exp else float("nan")
        print(f"{fam:<40} {len(exp):>9} {recall:>7.2f} {len(got - exp):>6}")
        if args.show and args.show in fam:
            for item in sorted(exp - got):
                print(f"    missed: {item[0]}  {item[1]}")
            for item in sorted(got - exp):
                print(f"    extra:  {item[0]}  {item[1]}")


if __name__ == "__main__":
    main()
