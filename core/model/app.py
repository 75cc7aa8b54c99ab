"""The model server process: llama-cpp-python's OpenAI-compatible app, behind a thin guard.

``python -m llmctl.core.model.app`` takes llama_cpp.server's own flags. Around
its app sits one ASGI middleware that:

- requires the API key (``API_KEY`` in the environment) on **every** route,
  not only ``/v1/*``;
- turns off the interactive ``/docs``, ``/redoc`` and ``/openapi.json`` pages
  (a served model is an API, not a playground on the network);
- names the model in responses by its alias (``--model_alias``), never by the
  absolute path of the file on this machine: a request that names no model is
  given the alias before llama.cpp sees it.

The model itself answers ``logprobs`` on completions although it is loaded
with ``logits_all=False`` (core/model/logprobs.py): docs sync's confidence
gate reads them.
"""

from __future__ import annotations

import json
import os
import sys

_HIDDEN = {"/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"}
_NAMED = {"/v1/completions", "/v1/chat/completions", "/v1/embeddings"}


class Guard:
    """ASGI middleware: key on every route, no API docs pages, the alias as the model name."""

    def __init__(self, app, api_key: str | None, alias: str | None):
        self.app, self.api_key, self.alias = app, api_key, alias

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path in _HIDDEN:
            return await _reply(send, 404, {"detail": "Not Found"})
        if self.api_key:
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization", b"").decode("latin-1") != f"Bearer {self.api_key}":
                return await _reply(send, 401, {"error": {"message": "Invalid API key", "type": "invalid_request_error"}})
        if self.alias and path in _NAMED and scope.get("method") == "POST":
            receive = await _named(receive, self.alias)
        return await self.app(scope, receive, send)


async def _reply(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


async def _named(receive, alias: str):
    """A receive() whose request body names the model when the client did not."""
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    try:
        data = json.loads(body or b"{}")
        if isinstance(data, dict) and not data.get("model"):
            data["model"] = alias
            body = json.dumps(data).encode()
    except ValueError:
        pass  # not JSON: llama.cpp answers it as it would
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def main() -> None:
    """Parse llama_cpp.server's flags, build its app, serve it behind the guard."""
    import argparse

    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.cli import add_args_from_model, parse_model_from_args
    from llama_cpp.server.settings import ModelSettings, ServerSettings, Settings

    parser = argparse.ArgumentParser(description="llmctl's model server (llama-cpp-python)")
    add_args_from_model(parser, Settings)
    args = parser.parse_args()
    server_settings = parse_model_from_args(ServerSettings, args)
    model_settings = parse_model_from_args(ModelSettings, args)
    api_key = os.environ.get("API_KEY") or None
    server_settings.api_key = api_key
    app = create_app(server_settings=server_settings, model_settings=[model_settings])
    from llama_cpp.server import app as server_app

    from llmctl.core.model.logprobs import serve_logprobs

    serve_logprobs(server_app._llama_proxy())  # the model create_app just loaded
    guarded = Guard(app, api_key, model_settings.model_alias)
    uvicorn.run(guarded, host=server_settings.host, port=int(server_settings.port), log_level="warning")


if __name__ == "__main__":
    sys.exit(main())
