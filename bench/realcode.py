"""The real-code corpus: scan, `docs sync --no-model` twice, `docs sync --check` and `docs check` on real repositories.

Usage: python bench/realcode.py [--repos DIR] [--only NAME,...] [--json OUT]

Python packages come from this interpreter's site-packages (copied, each into
a git repository of its own: the package folder at the top, as in its source
repository). Repositories in other languages come from ``--repos DIR``
(default ``$LLMCTL_REALCODE`` or ``/work/real``): clones of the public
repositories listed in ``REPOS`` (name -> origin), at whatever commit they
are; a missing one is skipped and said so. Every command runs as the real CLI
in a subprocess, as a user would run it.

Per repository it prints: pages written, public sections, sections whose
source is test/example/benchmark code (goal 0), the public names its users
look up that have a section (``EXPECT``; goal: all), files the second sync
wrote (goal 0), the exit code of ``docs sync --check`` right after (goal 0),
``docs check`` findings at error severity and per rule, the parameter
descriptions taken from a callee (``fwd``: core/docs/forward.py), and the time taken.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from pathlib import Path

SITE = Path(sysconfig.get_paths()["purelib"])
PY_PACKAGES = ["click", "jinja2", "rich", "pydantic", "typer", "werkzeug", "markdown_it", "requests"]
# Public repositories, cloned under --repos (nothing here downloads them).
REPOS = {
    "httpx": "https://github.com/encode/httpx",
    "gin": "https://github.com/gin-gonic/gin",
    "express": "https://github.com/expressjs/express",
    "koa": "https://github.com/koajs/koa",
    "ky": "https://github.com/sindresorhus/ky",
    "anyhow": "https://github.com/dtolnay/anyhow",
    "javapoet": "https://github.com/square/javapoet",
    "attrs": "https://github.com/python-attrs/attrs",
    "flask": "https://github.com/pallets/flask",
    "commander": "https://github.com/tj/commander.js",
    "jsoup": "https://github.com/jhy/jsoup",
    "cli": "https://github.com/urfave/cli",
    "immer": "https://github.com/immerjs/immer",
}
# Names a user of each library looks up first: each must have a section in the reference.
EXPECT = {
    "click": ["click.Command", "click.Group", "click.echo", "click.option", "click.Context", "click.STRING"],
    "jinja2": ["jinja2.Environment", "jinja2.Template", "jinja2.FileSystemLoader"],
    "rich": ["rich.print", "rich.console.Console", "rich.table.Table"],
    "pydantic": ["pydantic.BaseModel", "pydantic.Field", "pydantic.ConfigDict", "pydantic.PositiveInt",
                 "pydantic.ConfigDict.str_to_lower"],
    "typer": ["typer.Typer", "typer.Option", "typer.Argument", "typer.echo"],
    "werkzeug": ["werkzeug.Request", "werkzeug.Response", "werkzeug.run_simple"],
    "markdown_it": ["markdown_it.MarkdownIt"],
    "requests": ["requests.get", "requests.Session", "requests.Response"],
    "httpx": ["httpx.Client", "httpx.AsyncClient", "httpx.get", "httpx.Response", "httpx.Request"],
    "gin": ["gin.Engine", "gin.Context", "gin.New", "gin.Default", "gin.RouterGroup", "gin.DebugMode"],
    "express": ["express.createApplication", "express.application.use", "express.application.listen",
                "express.request.get", "express.response.send", "express.response.json"],
    "koa": ["koa.Application", "koa.Application.use", "koa.Application.listen"],
    "ky": ["ky.HTTPError", "ky.Options", "ky.KyInstance"],
    "anyhow": ["anyhow.Error", "anyhow.Context", "anyhow.Result"],
    "javapoet": ["com.squareup.javapoet.JavaFile", "com.squareup.javapoet.TypeSpec", "com.squareup.javapoet.MethodSpec",
                 "com.squareup.javapoet.TypeName.INT"],
    # Added with the second names (attr.s, attrs.define are listed with attr.attrs, attr.define), the ES module
    # that exports what it imports (commander), `package main` and `*_tests/` left out (urfave/cli, attrs).
    "attrs": ["attr.attrs", "attr.s", "attr.ib", "attr.define", "attrs.define", "attr.asdict", "attr.evolve"],
    "flask": ["flask.Flask", "flask.Blueprint", "flask.render_template", "flask.jsonify", "flask.Flask.run",
              "flask.request", "flask.g", "flask.session", "flask.current_app",  # values (Symbol.variables)
              "flask.Flask.request_class"],  # a class attribute documented with `#:`
    "commander": ["commander.Command", "commander.Option", "commander.Command.option", "commander.Command.parse",
                  "commander.createCommand"],
    "jsoup": ["org.jsoup.Jsoup.parse", "org.jsoup.Jsoup.connect", "org.jsoup.nodes.Element.select",
              "org.jsoup.nodes.Document"],
    "cli": ["cli.Command", "cli.Command.Run", "cli.StringFlag", "cli.BoolFlag", "cli.HelpFlag"],
    "immer": ["immer.produce", "immer.Immer", "immer.Draft", "immer.nothing", "immer.enableMapSet"],
}
_ALSO = re.compile(r"^Also as (.+)\.$", re.M)
_TESTY = re.compile(r"(^|/)(tests?|testing|__tests__|testdata|examples?|benchmarks?|benches|bench)/|(^|/)test_[^/]*\.py$"
                    r"|_test\.(py|go)$|\.(test|spec)\.[jt]sx?$|(^|/)src/test/|(^|/)conftest\.py$")
_SOURCE = re.compile(r"Source: \[([^\]:]+)[:\]]|defined in \[`?([^\]`:]+)")
_BEGIN = re.compile(r'<!-- llmctl:begin id="([^"]+)"')


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    exe = str(Path(sys.executable).with_name("llmctl"))
    env = dict(os.environ, HF_HUB_OFFLINE="1", NO_COLOR="1")
    return subprocess.run([exe, *args], cwd=cwd, env=env, capture_output=True, text=True)


def _git_init(root: Path) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@x", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@x")
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "snapshot", "--no-verify"]):
        subprocess.run(["git", *cmd], cwd=root, env=env, check=True, capture_output=True)


def prepare(name: str, repos: Path, work: Path) -> Path | None:
    """A writable git copy of one corpus entry, or None when it is not on this machine."""
    dst = work / name
    if name in REPOS:
        src = repos / name
        if not src.is_dir():
            return None
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".git", ".llmctl", "node_modules", "target"))
        for old in ("docs/api",):
            shutil.rmtree(dst / old, ignore_errors=True)
    else:
        src = SITE / name
        if not src.is_dir():
            return None
        shutil.copytree(src, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
    _git_init(dst)
    return dst


def sections(out_dir: Path) -> list[tuple[str, str]]:
    """(section id, source path) of every generated section."""
    found = []
    for page in sorted(out_dir.glob("*.md")) if out_dir.is_dir() else []:
        text = page.read_text("utf-8", "replace")
        for block in text.split("<!-- llmctl:begin ")[1:]:
            m, s = _BEGIN.match("<!-- llmctl:begin " + block), _SOURCE.search(block)
            if m and m.group(1) != "__index__":
                found.append((m.group(1), (s.group(1) or s.group(2)) if s else ""))
    return found


def measure(name: str, root: Path) -> dict:
    """Run the commands on one repository and collect the figures."""
    t0 = time.perf_counter()
    first = _cli(["docs", "sync", "--no-model", "--json"], root)
    if first.returncode != 0:
        return {"name": name, "error": (first.stderr.strip().splitlines() or ["?"])[-1]}
    s1 = json.loads(first.stdout)
    second = json.loads(_cli(["docs", "sync", "--no-model", "--json"], root).stdout)
    check_rc = _cli(["docs", "sync", "--check"], root).returncode
    drift = _cli(["docs", "check", "--format", "json"], root)
    findings = json.loads(drift.stdout)["findings"] if drift.stdout.strip().startswith("{") else []
    secs = sections(root / "docs" / "api")
    ids = {sid for sid, _ in secs}  # and the other names sections list ("Also as `attr.s`")
    ids |= {n for page in (root / "docs" / "api").glob("*.md") for line in _ALSO.findall(page.read_text("utf-8", "replace"))
            for n in re.findall(r"`([^`]+)`", line)}
    expect = EXPECT.get(name, [])
    return {
        "name": name, "pages": len(list((root / "docs" / "api").glob("*.md"))) - 1, "sections": len(secs),
        "test_sections": sum(1 for _, src in secs if _TESTY.search(src)),
        "expected_found": sum(1 for e in expect if e in ids), "expected": len(expect),
        "missing": [e for e in expect if e not in ids],
        "second_run_written": second["pages_written"], "check_exit": check_rc,
        "errors": sum(1 for f in findings if f["severity"] == "error"),
        "by_rule": dict(sorted(Counter(f["rule"] for f in findings).items())),
        "seconds": round(time.perf_counter() - t0, 1), "first_written": s1["pages_written"],
        "forwarded": s1.get("forwarded", 0),
    }


def main() -> None:
    """Run the corpus and print one row per repository."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repos", type=Path, default=Path(os.environ.get("LLMCTL_REALCODE", "/work/real")))
    ap.add_argument("--only", default="", help="comma-separated names")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = ap.parse_args()
    names = [n for n in PY_PACKAGES + list(REPOS) if not args.only or n in args.only.split(",")]
    rows = []
    print(f"{'repository':<12} {'pages':>5} {'sections':>8} {'tests':>5} {'expected':>8} {'2nd run':>7} {'check':>5} "
          f"{'errors':>6} {'fwd':>4} {'time':>6}  findings by rule")
    with tempfile.TemporaryDirectory(prefix="llmctl-realcode-") as tmp:
        for name in names:
            root = prepare(name, args.repos, Path(tmp))
            if root is None:
                print(f"{name:<12} (not on this machine: clone {REPOS.get(name, name)} into {args.repos})")
                continue
            row = measure(name, root)
            rows.append(row)
            if "error" in row:
                print(f"{name:<12} error: {row['error']}")
                continue
            print(f"{name:<12} {row['pages']:>5} {row['sections']:>8} {row['test_sections']:>5} "
                  f"{row['expected_found']:>3}/{row['expected']:<4} {row['second_run_written']:>7} {row['check_exit']:>5} "
                  f"{row['errors']:>6} {row['forwarded']:>4} {row['seconds']:>5.1f}s  {row['by_rule']}"
                  + (f"  missing: {', '.join(row['missing'])}" if row["missing"] else ""), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
