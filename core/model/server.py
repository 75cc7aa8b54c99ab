"""Run llama-cpp-python's OpenAI-compatible server: foreground, detached, or for one run.

`llmctl serve` is a thin wrapper (DESIGN.md): it resolves the model file,
refuses a busy port or a non-GGUF file with a one-line error, starts
llama-cpp-python's server (behind core/model/app.py's guard) bound to loopback, and waits until the model
answers a completion before it says "ready". A detached server leaves a
state file (``serve.json``) in the store folder for `serve status`/`serve stop`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write
from llmctl.core.model.client import ModelClient, is_loopback
from llmctl.core.model.files import check_gguf, default_model_path, lora_for, model_identity

STATE_FILE = "serve.json"
LOG_FILE = "serve.log"


@dataclass
class ServeSpec:
    """What to serve and where."""

    model: Path
    lora: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8077
    api_key: str | None = None
    context: int = 2048
    threads: int = 0

    @property
    def url(self) -> str:
        """The OpenAI base URL clients use."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def identity(self) -> str:
        """The model name the server reports (and the generation cache keys on)."""
        return model_identity(self.model, self.lora)


def resolve_spec(model: str | None, lora: str | None, host: str, port: int, api_key: str | None,
                 context: int, threads: int) -> ServeSpec:
    """Check the files and build a ServeSpec (default model when ``model`` is empty)."""
    model_path = check_gguf(Path(model).expanduser()).resolve() if model else default_model_path()
    chosen = lora_for(model, lora)
    lora_path = check_gguf(chosen, "LoRA adapter").resolve() if chosen is not None else None
    return ServeSpec(model_path, lora_path, host, port, api_key, context, threads or os.cpu_count() or 1)


def port_free(host: str, port: int) -> bool:
    """True when nothing listens on ``host:port`` and we may bind it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def command(spec: ServeSpec) -> list[str]:
    """The llama_cpp.server command line (the API key travels in the environment, not here)."""
    cmd = [sys.executable, "-m", "llmctl.core.model.app", "--model", str(spec.model), "--model_alias", spec.identity,
           "--host", spec.host, "--port", str(spec.port), "--n_ctx", str(spec.context),
           "--n_threads", str(spec.threads), "--n_threads_batch", str(spec.threads), "--verbose", "False",
           # The server's default computes logits for every prompt token; with Gemma 3's
           # 262k vocabulary that made prompt processing 4-5x slower here.
           "--logits_all", "False"]
    if spec.lora is not None:
        cmd += ["--lora_path", str(spec.lora)]
    return cmd


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM it when the parent dies (even by kill -9)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the lease file catches the orphan on the next run


def start(spec: ServeSpec, log_path: Path, detach: bool, tied: bool = False) -> subprocess.Popen:
    """Start the server process; raise LlmctlError if the port is taken. ``tied``: it dies with this process."""
    if not port_free(spec.host, spec.port):
        raise LlmctlError(f"port {spec.port} on {spec.host} is already in use",
                          "pass --port N (or set model.port), or stop what listens there (`llmctl serve stop`)")
    env = dict(os.environ)
    env.pop("API_KEY", None)
    if spec.api_key:
        env["API_KEY"] = spec.api_key  # read by llama_cpp.server's settings
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    try:
        # cwd: `python -m` puts the working folder first on sys.path, so a project with a
        # top-level package named like one the server imports (click, uvicorn, …) broke it.
        return subprocess.Popen(command(spec), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=detach, cwd=log_path.parent,
                                preexec_fn=_die_with_parent if tied and sys.platform.startswith("linux") else None)
    finally:
        log.close()


def wait_ready(proc: subprocess.Popen, spec: ServeSpec, log_path: Path, timeout: float = 180.0) -> None:
    """Block until the model answers a one-token completion; error out if the process dies."""
    client = ModelClient(spec.url, api_key=spec.api_key, timeout=30, retries=0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LlmctlError(f"the model server exited during start-up (code {proc.returncode}): {_log_tail(log_path)}",
                              f"see {log_path}")
        if client.alive(timeout=1.0):
            try:
                client.complete("Hello", max_tokens=1)
                return
            except LlmctlError:
                pass
        time.sleep(0.25)
    stop_process(proc.pid)
    raise LlmctlError(f"the model server did not answer within {timeout:.0f}s", f"see {log_path}")


def _log_tail(log_path: Path) -> str:
    try:
        lines = [ln for ln in log_path.read_text("utf-8", "replace").splitlines() if ln.strip()]
    except OSError:
        return "no log"
    return lines[-1].strip() if lines else "no output"


def stop_process(pid: int, grace: float = 10.0) -> bool:
    """SIGTERM, then SIGKILL after ``grace`` seconds; True when the process is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    return not pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """True when ``pid`` runs (and is not a zombie of ours)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the state file of a detached server ------------------------------------------------

def write_state(state_dir: Path, spec: ServeSpec, pid: int) -> None:
    """Record a detached server (atomically)."""
    data = {"pid": pid, "url": spec.url, "host": spec.host, "port": spec.port, "model": str(spec.model),
            "lora": str(spec.lora) if spec.lora else None, "identity": spec.identity, "started": time.time()}
    atomic_write(state_dir / STATE_FILE, json.dumps(data, indent=2))


def read_state(state_dir: Path, name: str = STATE_FILE) -> dict | None:
    """The detached server's record (or another state file's), or None."""
    try:
        return json.loads((state_dir / name).read_text())
    except (OSError, ValueError):
        return None


def clear_state(state_dir: Path) -> None:
    """Forget the detached server."""
    (state_dir / STATE_FILE).unlink(missing_ok=True)


LEASE_FILE = "serve-embedded.json"


def reap_orphans(state_dir: Path) -> None:
    """Stop an embedded server whose llmctl process is gone (killed before it could stop it)."""
    lease = read_state(state_dir, LEASE_FILE)
    if lease and not pid_alive(lease.get("owner", -1)) and pid_alive(lease.get("pid", -1)):
        stop_process(lease["pid"])
    if lease and not pid_alive(lease.get("owner", -1)):
        (state_dir / LEASE_FILE).unlink(missing_ok=True)


@contextlib.contextmanager
def embedded_server(spec: ServeSpec, log_path: Path) -> Iterator[ServeSpec]:
    """A server for the duration of one command, on the spec's port (a free one, chosen by the caller).

    It dies with this process (Linux parent-death signal), and a lease file names it,
    so the next run stops it if it outlived a ``kill -9`` anyway.
    """
    state_dir = log_path.parent
    reap_orphans(state_dir)
    proc = start(spec, log_path, detach=False, tied=True)
    atomic_write(state_dir / LEASE_FILE, json.dumps({"pid": proc.pid, "owner": os.getpid(), "port": spec.port}))
    try:
        wait_ready(proc, spec, log_path)
        yield spec
    finally:
        stop_process(proc.pid)
        (state_dir / LEASE_FILE).unlink(missing_ok=True)


def warn_if_public(host: str, api_key: str | None = None) -> str | None:
    """A warning for binds beyond loopback, else None."""
    if is_loopback(host):
        return None
    return (f"binding {host}: the model server is reachable from other machines"
            + ("" if api_key or os.environ.get("LLMCTL_API_KEY") else "; consider --api-key"))

