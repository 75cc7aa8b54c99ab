"""The CLI skeleton: help, version, configuration errors, init, start-up imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli, write
from llmctl.core.config import Config, parse_config, read_config_table

HEAVY = ("torch", "transformers", "faiss", "llama_cpp", "sentence_transformers", "accelerate")


def test_help_lists_every_command_group(tmp_path: Path):
    out = run_cli("--help", cwd=tmp_path, check=True).stdout
    for group in ("init", "scan", "docs", "search", "serve", "train", "eval", "export", "hooks"):
        assert f" {group} " in out, group
    docs = run_cli("docs", "--help", cwd=tmp_path, check=True).stdout
    assert all(c in docs for c in ("sync", "check", "watch"))
    train = run_cli("train", "--help", cwd=tmp_path, check=True).stdout
    assert all(c in train for c in ("data", "validate", "pretrain", "sft", "dpo"))


def test_version(tmp_path: Path):
    out = run_cli("--version", cwd=tmp_path, check=True).stdout
    assert out.startswith("llmctl 0.")


@pytest.mark.parametrize("args, word", [
    (["train", "sft"], "model.base"),
    (["train", "pretrain", "--set", "train.lr=-1"], "train.lr"),
    (["train", "pretrain", "missing.toml"], "missing.toml"),
    (["export", "gguf", "no-such-dir", "--out", "x.gguf"], "no-such-dir"),
    (["export", "gguf", ".", "--out", "x.gguf", "--type", "q3_xx"], "--type"),
    (["eval", "x", "--gate-metric", "vibes"], "--gate-metric"),
])
def test_training_commands_reject_bad_input_in_one_line(tmp_path: Path, args, word):
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert word in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not (tmp_path / "x.gguf").exists()


@pytest.mark.parametrize("args", [["--help"], ["scan"], ["scan", "--json"], ["init", "--print"]])
def test_startup_path_imports_no_heavy_library(example_copy: Path, args):
    code = (
        "import sys\n"
        f"sys.argv = ['llmctl', *{args!r}]\n"
        "from llmctl.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=example_copy, capture_output=True, text=True)
    assert "HEAVY []" in proc.stderr, proc.stderr[-2000:]


def test_unknown_config_key_is_a_one_line_error_naming_file_and_key(tmp_path: Path):
    write(tmp_path, "pyproject.toml", "[project]\nname='x'\n\n[tool.llmctl]\nlanguges = ['python']\n")
    proc = run_cli("scan", cwd=tmp_path)
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "pyproject.toml" in line and "languges" in line and "languages" in line  # names the expected keys


@pytest.mark.parametrize("body, key, expected", [
    ("max_file_bytes = 'big'", "max_file_bytes", "integer"),
    ("max_file_bytes = 0", "max_file_bytes", "greater than or equal to 1"),
    ("languages = ['cobol']", "languages.0", "python"),
    ("jobs = -1", "jobs", "greater than or equal to 0"),
])
def test_bad_config_values_name_key_and_expectation(tmp_path: Path, body, key, expected):
    write(tmp_path, "llmctl.toml", body + "\n")
    proc = run_cli("scan", cwd=tmp_path)
    assert proc.returncode == 2
    msg = proc.stderr.strip()
    assert len(msg.splitlines()) == 1
    assert "llmctl.toml" in msg and f"'{key}'" in msg and expected in msg


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path):
    write(tmp_path, "llmctl.toml", "include = [\n")
    proc = run_cli("scan", cwd=tmp_path)
    assert proc.returncode == 2 and "llmctl.toml" in proc.stderr and "not valid TOML" in proc.stderr


def test_missing_path_is_an_error(tmp_path: Path):
    proc = run_cli("scan", "does/not/exist", cwd=tmp_path)
    assert proc.returncode == 2 and "does/not/exist" in proc.stderr


def test_init_writes_a_valid_commented_config_and_never_overwrites(tmp_path: Path):
    run_cli("init", cwd=tmp_path, check=True)
    text = (tmp_path / "llmctl.toml").read_text()
    assert text.startswith("#") and "max_file_bytes" in text
    assert parse_config(read_config_table(tmp_path / "llmctl.toml"), "t").model_dump() == Config().model_dump()
    (tmp_path / "llmctl.toml").write_text("jobs = 1\n")
    run_cli("init", cwd=tmp_path, check=True)
    assert (tmp_path / "llmctl.toml").read_text() == "jobs = 1\n"


def test_init_into_pyproject_keeps_existing_text(tmp_path: Path):
    original = "[project]\nname = 'demo'  # keep me\n"
    write(tmp_path, "pyproject.toml", original)
    run_cli("init", "--pyproject", cwd=tmp_path, check=True)
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(original) and "[tool.llmctl]" in text
    assert parse_config(read_config_table(tmp_path / "pyproject.toml"), "t").model_dump() == Config().model_dump()


def test_every_config_key_is_in_the_init_template():
    from llmctl.templates import read_template

    body = read_template("config.toml")
    for key in Config.field_names():
        assert f"\n{key} = " in body or f"\n[{key}]\n" in body, key
