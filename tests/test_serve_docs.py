"""`llmctl serve` and `llmctl docs sync` with the real default GGUF over a real loopback server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import LLMCTL, run_cli, write
from llmctl.core.model.server import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def model_server(tmp_path_factory):
    """One detached `llmctl serve` for the session: its URL."""
    home = tmp_path_factory.mktemp("server")
    port = free_port()
    run_cli("serve", "--detach", "--port", str(port), cwd=home, check=True)
    yield f"http://127.0.0.1:{port}/v1"
    run_cli("serve", "stop", cwd=home)


def configure(project: Path, url: str, extra: str = "") -> None:
    (project / "llmctl.toml").write_text(f'[model]\nurl = "{url}"\nretries = 1\n{extra}')


def sync_json(project: Path, *args: str) -> dict:
    proc = run_cli("docs", "sync", "--json", *args, cwd=project)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_serve_status_and_stop_lifecycle(model_server, tmp_path):
    # the session server is recorded in its own folder; here nothing is
    proc = run_cli("serve", "status", cwd=tmp_path)
    assert proc.returncode == 1 and "no detached" in proc.stdout
    assert run_cli("serve", "stop", cwd=tmp_path).returncode == 2


def test_port_in_use_is_a_one_line_error(model_server, tmp_path):
    port = model_server.rsplit(":", 1)[1].split("/")[0]
    proc = run_cli("serve", "--port", port, cwd=tmp_path)
    assert proc.returncode == 2
    assert f"port {port}" in proc.stderr and "in use" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [None, b"not a gguf file at all"])
def test_missing_or_corrupt_model_is_a_one_line_error(tmp_path, content):
    model = tmp_path / "m.gguf"
    if content is not None:
        model.write_bytes(content)
    proc = run_cli("serve", "--model", str(model), "--port", str(free_port()), cwd=tmp_path)
    assert proc.returncode == 2 and str(model) in proc.stderr
    assert ("does not exist" if content is None else "not a GGUF") in proc.stderr
    assert "Traceback" not in proc.stderr


def test_api_key_is_required_when_set(tmp_path):
    port = free_port()
    proc = run_cli("serve", "--detach", "--port", str(port), "--api-key", "s3cret", cwd=tmp_path)
    try:
        assert proc.returncode == 0, proc.stderr
        configure(tmp_path, f"http://127.0.0.1:{port}/v1", 'api_key_env = "TEST_LLMCTL_KEY"\n')
        write(tmp_path, "m.py", "def undocumented(a):\n    return a\n")
        denied = run_cli("docs", "sync", cwd=tmp_path, env={"TEST_LLMCTL_KEY": "wrong"})
        assert denied.returncode == 2 and "API key" in denied.stderr
        ok = run_cli("docs", "sync", "--json", cwd=tmp_path, env={"TEST_LLMCTL_KEY": "s3cret"})
        assert ok.returncode == 0 and json.loads(ok.stdout)["model_calls"] > 0
    finally:
        run_cli("serve", "stop", cwd=tmp_path)


def test_sync_generates_pages_then_a_rerun_asks_nothing(model_server, example_copy):
    configure(example_copy, model_server)
    first = sync_json(example_copy)
    # 7 module pages (Stock and Item are documented where the package re-exports them), index.md, .pages;
    # 28 sections, the Go sentinel error `pricing.ErrNegative` (an exported var) among them
    assert first["pages_written"] == 9 and first["symbols"] == 28
    assert first["model_calls"] > 0 and first["generated"] > 0 and first["cache_hits"] == 0
    page = (example_copy / "docs/api/inventory.md").read_text()
    # facts from the code
    assert "def reserve(self, sku: str, quantity: int, *, partial: bool = False) -> int" in page
    assert "| `partial` | `bool` | `False` | Reserve what is available instead of failing. |" in page
    assert "`OutOfStock` — If not enough units" in page
    assert "[inventory/stock.py:56](../../inventory/stock.py#L56)" in page
    # prose from the model, marked, inside provenance markers
    release = page[page.index('id="inventory.Stock.release"'):]
    release = release[:release.index("llmctl:end")]
    assert "*(generated)*" in release and "sig=" in page and "body=" in page
    mtimes = {p: p.stat().st_mtime_ns for p in (example_copy / "docs/api").iterdir()}

    second = sync_json(example_copy)
    assert (second["model_calls"], second["pages_written"], second["generated"]) == (0, 0, 0)
    assert {p: p.stat().st_mtime_ns for p in (example_copy / "docs/api").iterdir()} == mtimes
    assert run_cli("docs", "sync", "--check", cwd=example_copy).returncode == 0


def test_hand_written_text_survives_a_sync_after_a_code_change(model_server, example_copy):
    configure(example_copy, model_server)
    sync_json(example_copy)
    page_path = example_copy / "docs/api/inventory.reports.md"
    page = page_path.read_text()
    top = "\n> **Team note:** these reports run nightly.\n"
    middle = "\n\nSee also the [runbook](../runbook.md) — *hand-written*.\n"
    end_note = "\n## Appendix\n\nWritten by a human, with trailing spaces   \n"
    first_end = page.index("<!-- llmctl:end")
    first_end = page.index("-->", first_end) + 3
    edited = page.replace("\n<sub>python", top + "\n<sub>python", 1)
    edited = edited[:first_end + len(top)] + middle + edited[first_end + len(top):] + end_note
    page_path.write_text(edited)

    src = example_copy / "inventory/reports.py"
    src.write_text(src.read_text().replace("def low_stock(stock: Stock, threshold: int = 5)",
                                           "def low_stock(stock: Stock, threshold: int = 5, limit: int = 10)"))
    assert run_cli("docs", "sync", "--check", cwd=example_copy).returncode == 1
    result = sync_json(example_copy)
    assert result["pages_written"] == 1
    after = page_path.read_text()
    for mine in (top, middle, end_note):
        assert mine in after
    assert "threshold: int = 5, limit: int = 10" in after
    assert "| `limit` | `int` | `10` |" in after


def test_no_model_writes_facts_and_marks_gaps_without_any_server(example_copy):
    configure(example_copy, f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    result = sync_json(example_copy, "--no-model")
    assert result["model_calls"] == 0 and result["gaps"] > 0 and result["pages_written"] == 9
    page = (example_copy / "docs/api/inventory.md").read_text()
    assert "*No summary yet.*" in page and "gaps=" in page


def test_templates_can_be_overridden_from_config(model_server, example_copy):
    configure(example_copy, model_server, '\n[docs]\ntemplates_dir = "doc_templates"\ngenerate = "none"\n')
    write(example_copy, "doc_templates/symbol.md.j2", "CUSTOM {{ sym.id }} {{ sym.signature }}\n")
    sync_json(example_copy)
    page = (example_copy / "docs/api/inventory.reports.md").read_text()
    assert "CUSTOM inventory.reports.low_stock def low_stock(" in page


def test_down_server_at_a_custom_url_is_a_clear_error(example_copy):
    url = f"http://127.0.0.1:{free_port()}/v1"
    configure(example_copy, url)
    proc = run_cli("docs", "sync", cwd=example_copy)
    assert proc.returncode == 2 and url in proc.stderr and "not answering" in proc.stderr
    assert not (example_copy / "docs").exists()


def test_killed_server_mid_run_leaves_no_half_written_page(tmp_path):
    project = tmp_path / "many"
    for i in range(30):
        write(project, f"pkg/mod{i}.py", f"def compute_{i}(value, factor={i}):\n    return value * factor + {i}\n")
    port = free_port()
    server_home = tmp_path / "srv"
    server_home.mkdir()
    run_cli("serve", "--detach", "--port", str(port), cwd=server_home, check=True)
    pid = json.loads((server_home / ".llmctl/serve.json").read_text())["pid"]
    configure(project, f"http://127.0.0.1:{port}/v1")
    env = dict(os.environ, NO_COLOR="1")
    sync = subprocess.Popen([LLMCTL, "docs", "sync"], cwd=project, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        db = project / ".llmctl/prose.db"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until generation is under way
            if db.exists():
                try:
                    with sqlite3.connect(db) as conn:
                        if conn.execute("SELECT COUNT(*) FROM prose").fetchone()[0] >= 3:
                            break
                except sqlite3.Error:
                    pass
            time.sleep(0.1)
        else:
            pytest.fail("generation never started")
        os.kill(pid, signal.SIGKILL)
        out, err = sync.communicate(timeout=120)
    finally:
        sync.kill()
        run_cli("serve", "stop", cwd=server_home)
    assert sync.returncode == 2, (out, err)
    assert "not answering" in err and "Traceback" not in err
    docs = project / "docs" / "api"
    assert not docs.exists() or not any(docs.iterdir())
    # the prose already generated is kept for the next run
    with sqlite3.connect(project / ".llmctl/prose.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM prose").fetchone()[0] >= 3


def test_the_server_scores_generated_tokens_as_logits_all_would(model_server):
    # The server loads the model without logits_all (prompts 4-5x faster) and still answers
    # `logprobs`; they must equal llama.cpp's own, computed with every position's logits.
    from llama_cpp import Llama

    from llmctl.core.model.client import ModelClient
    from llmctl.core.model.files import bundled_adapter, default_model_path

    client = ModelClient(model_server, retries=0)
    prompt = "def add(a, b):\n    return a + b\n\nSummary:"
    text, confidence = client.complete_scored(prompt, max_tokens=12, stop=["\n"])
    assert text == client.complete(prompt, max_tokens=12, stop=["\n"])  # scoring does not change the answer
    served = client._choice(prompt, 12, ["\n"], 0.0, logprobs=1)["logprobs"]
    # (a second ask reuses the prompt's KV cache: equal up to float noise)
    assert "".join(served["tokens"]) == text and confidence == pytest.approx(
        sum(served["token_logprobs"]) / len(served["token_logprobs"]), abs=0.05)
    # The session server serves the bundled adapter, and the server's default repeat penalty. On a
    # quantized model a batched prompt pass and one-token steps take different kernels (the first answer
    # token's log-probability moved by 0.06 between them here): the reference steps one token at a time.
    llama = Llama(str(default_model_path()), lora_path=str(bundled_adapter()), logits_all=True, n_ctx=512,
                  n_batch=1, verbose=False)
    own = llama.create_completion(prompt, max_tokens=12, stop=["\n"], temperature=0.0, repeat_penalty=1.1, logprobs=1)
    own_lp = own["choices"][0]["logprobs"]
    assert own["choices"][0]["text"] == text
    n = len(served["token_logprobs"])
    assert served["token_logprobs"] == pytest.approx(own_lp["token_logprobs"][:n], abs=0.05)
    assert all(lp <= 0 for lp in served["token_logprobs"])
    # a continuation the model is sure of scores higher than a free-form one
    _, counting = client.complete_scored("1, 2, 3, 4, 5, 6, 7,", max_tokens=6)
    assert counting > confidence


def test_min_confidence_leaves_gaps_and_changing_it_asks_the_model_nothing(model_server, example_copy):
    configure(example_copy, model_server, '\n[docs]\ngenerate = "summaries"\nmin_confidence = "off"\n')
    first = sync_json(example_copy)
    # With the floor off, no answer is gapped for its confidence (others may be, for what they say).
    assert first["generated"] > 0 and first["model_calls"] > 0
    assert "below docs.min_confidence" not in first["gap_reasons"]
    with sqlite3.connect(example_copy / ".llmctl/prose.db") as conn:
        scores = [c for (c,) in conn.execute("SELECT confidence FROM prose WHERE text IS NOT NULL")]
    assert scores and all(c is not None and c <= 0 for c in scores)
    page = example_copy / "docs/api/inventory.md"
    before = page.read_text()
    # a floor above every answer: each becomes a marked gap, from the cache alone
    configure(example_copy, model_server, f'\n[docs]\ngenerate = "summaries"\nmin_confidence = {min(max(scores) + 1e-3, 0.0)}\n')
    strict = sync_json(example_copy)
    assert strict["model_calls"] == 0 and strict["gaps"] >= first["generated"]
    assert strict["gap_reasons"]["below docs.min_confidence"] == first["generated"]
    assert "*(generated)*" not in page.read_text() and "*No summary yet.*" in page.read_text()
    configure(example_copy, model_server, '\n[docs]\ngenerate = "summaries"\nmin_confidence = "off"\n')
    again = sync_json(example_copy)
    assert again["model_calls"] == 0 and page.read_text() == before


def test_a_project_package_named_like_a_server_dependency_does_not_break_the_server(tmp_path):
    # `python -m` puts its working folder first on sys.path: a repository with a top-level
    # click/ (uvicorn imports click) made the model server die at start-up.
    write(tmp_path, "click/__init__.py", "raise ImportError('the project\\'s own click, not the library')\n")
    port = free_port()
    proc = run_cli("serve", "--detach", "--port", str(port), cwd=tmp_path)
    try:
        assert proc.returncode == 0, proc.stderr
        from llmctl.core.model.client import ModelClient

        assert ModelClient(f"http://127.0.0.1:{port}/v1", retries=0).complete("def add(a, b):", max_tokens=4)
    finally:
        run_cli("serve", "stop", cwd=tmp_path)
