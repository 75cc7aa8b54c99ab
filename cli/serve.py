"""``llmctl serve``: the quantized model behind an OpenAI-compatible API on loopback."""

from __future__ import annotations

import os
import signal
from typing import Optional

import typer

from llmctl.cli.output import console, fail, print_json
from llmctl.core.model.fields import SERVE_FIELDS

serve_app = typer.Typer(help="Serve the quantized model (OpenAI-compatible, loopback); `serve status`, `serve stop`.")


def _project():
    from llmctl.core.project import open_project

    return open_project(None)


def _option(name: str):
    """A `llmctl serve` flag built from the model setting it overrides (core/model/fields.py)."""
    f = SERVE_FIELDS[name]
    shown = f"{f.default!r}" if f.default != "" else "unset"
    return typer.Option(None, f.flag, min=f.ge, max=f.le,
                        help=f"{f.help[:1].upper()}{f.help[1:]} (config: model.{name}; default {shown}).")


@serve_app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    model: Optional[str] = _option("path"),
    lora: Optional[str] = _option("lora"),
    host: Optional[str] = _option("host"),
    port: Optional[int] = _option("port"),
    context: Optional[int] = _option("context"),
    threads: Optional[int] = _option("threads"),
    api_key: Optional[str] = typer.Option(None, "--api-key", envvar="LLMCTL_API_KEY", help="Require this key (or set LLMCTL_API_KEY)."),
    detach: bool = typer.Option(False, "--detach", "-d", help="Run in the background; see `serve status` / `serve stop`."),
) -> None:
    """Serve a GGUF model with llama-cpp-python until Ctrl-C (or in the background with --detach).

    Waits until the model answers before it reports ready. Clients (docs sync,
    curl, any OpenAI SDK) use http://HOST:PORT/v1.
    """
    if ctx.invoked_subcommand is not None:
        return
    from llmctl.core.extras import require
    from llmctl.core.model import server

    require("serve", "serve")
    project = _project()
    mc = project.config.model
    spec = server.resolve_spec(model or mc.path or None, lora or mc.lora or None, host or mc.host,
                               port or mc.port, api_key, context or mc.context,
                               mc.threads if threads is None else threads)
    warning = server.warn_if_public(spec.host, spec.api_key)
    err = console(stderr=True)
    if warning:
        err.print(f"[yellow]warning:[/] {warning}")
    state_dir = project.store_dir
    state_dir.mkdir(parents=True, exist_ok=True)
    running = server.read_state(state_dir)
    if running and server.pid_alive(running["pid"]):
        fail(f"an llmctl server already runs here (pid {running['pid']}, {running['url']})",
             "use it, or `llmctl serve stop` first")
    log_path = state_dir / server.LOG_FILE
    proc = server.start(spec, log_path, detach=detach)
    try:
        with err.status(f"loading {spec.model.name} …"):
            server.wait_ready(proc, spec, log_path)
    except BaseException:
        server.stop_process(proc.pid)
        raise
    if detach:
        server.write_state(state_dir, spec, proc.pid)
        err.print(f"serving {spec.identity} at {spec.url} (pid {proc.pid}); stop with `llmctl serve stop`")
        return
    err.print(f"serving {spec.identity} at {spec.url} — Ctrl-C to stop")
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        server.stop_process(proc.pid)
        err.print("stopped")
        return
    if proc.returncode not in (0, -signal.SIGINT, -signal.SIGTERM):
        fail(f"the model server stopped unexpectedly (code {proc.returncode})", f"see {log_path}")


@serve_app.command("status")
def status(json_out: bool = typer.Option(False, "--json", help="Print the state as JSON.")) -> None:
    """Say whether a detached server runs and answers. Exit 0 when it does, 1 when not."""
    from llmctl.core.model import server
    from llmctl.core.model.client import ModelClient

    project = _project()
    state = server.read_state(project.store_dir)
    alive = bool(state) and server.pid_alive(state["pid"])
    answering = alive and ModelClient(state["url"], api_key=os.environ.get(project.config.model.api_key_env)).alive()
    if json_out:
        print_json({"running": alive, "answering": answering, **(state or {})})
    elif not state:
        console().print("no detached llmctl server recorded here")
    else:
        word = "answering" if answering else ("running, not answering" if alive else "not running (stale record)")
        console().print(f"{state['identity']} at {state['url']} (pid {state['pid']}): {word}")
    raise typer.Exit(0 if answering else 1)


@serve_app.command("stop")
def stop() -> None:
    """Stop the detached server started here with `llmctl serve --detach`."""
    from llmctl.core.model import server

    project = _project()
    state = server.read_state(project.store_dir)
    if not state:
        fail("no detached llmctl server is recorded here", "start one with `llmctl serve --detach`")
    if server.pid_alive(state["pid"]) and not server.stop_process(state["pid"]):
        fail(f"could not stop pid {state['pid']}", "kill it by hand")
    server.clear_state(project.store_dir)
    console(stderr=True).print(f"stopped {state['identity']} (pid {state['pid']})")

