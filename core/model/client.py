"""A small client for OpenAI-compatible completion servers.

Works with `llmctl serve` (llama-cpp-python), llama.cpp's own server, vLLM or
any endpoint that speaks ``/v1/completions``: timeouts, retries with
exponential backoff, a bound on requests in flight, and one clear error when
the server is down. Standard library only: it sits on the docs path.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from llmctl.core.errors import LlmctlError


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    return host == "localhost" or host == "::1" or host.startswith("127.")


class ModelUnavailable(LlmctlError):
    """The model server did not answer (down, unreachable, or failing every retry)."""


@dataclass
class ModelClient:
    """Completions from ``url`` (a base URL ending in ``/v1``)."""

    url: str
    api_key: str | None = None
    timeout: float = 60.0
    retries: int = 3
    max_in_flight: int = 1  # as model.max_in_flight (core/config.py)
    model: str | None = None
    calls: int = 0
    logprobs_refused: bool = False  # the server failed a request for logprobs: ask plainly from then on
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _opener: urllib.request.OpenerDirector = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        self._slots = threading.BoundedSemaphore(self.max_in_flight)
        host = urllib.parse.urlsplit(self.url).hostname or ""
        # A loopback server is reached directly, whatever http_proxy says.
        handlers = [urllib.request.ProxyHandler({})] if is_loopback(host) else []
        self._opener = urllib.request.build_opener(*handlers)

    def _request(self, path: str, payload: dict | None, timeout: float) -> dict:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET")
        req.add_header("Content-Type", "application/json")
        if self.api_key:
            req.add_header("Authorization", f"Bearer {self.api_key}")
        with self._opener.open(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def alive(self, timeout: float = 2.0) -> bool:
        """True when an HTTP server answers ``GET /models`` at all."""
        try:
            self._request("/models", None, timeout)
            return True
        except urllib.error.HTTPError:
            return True  # it answered (401 without the right key, 404 on servers without /models)
        except (OSError, ValueError, urllib.error.URLError):
            return False

    def served_model(self, timeout: float = 2.0) -> str | None:
        """The id of the (first) model the server serves, when it says."""
        try:
            data = self._request("/models", None, timeout).get("data") or []
        except (OSError, ValueError, urllib.error.URLError):
            return None
        return str(data[0].get("id")) if data and isinstance(data[0], dict) else None

    def complete(self, prompt: str, *, max_tokens: int = 48, stop: list[str] | None = None,
                 temperature: float = 0.0) -> str:
        """The completion text for ``prompt``; raises ModelUnavailable after the retries."""
        return str(self._choice(prompt, max_tokens, stop, temperature).get("text", ""))

    def complete_scored(self, prompt: str, *, max_tokens: int = 48, stop: list[str] | None = None,
                        temperature: float = 0.0) -> tuple[str, float | None]:
        """The completion text and the mean log-probability of its tokens (None when the server gives none).

        The mean is the model's own confidence in what it wrote: docs sync leaves a
        gap below ``docs.min_confidence`` (core/docs/generate.py).
        """
        choice = self._choice(prompt, max_tokens, stop, temperature, logprobs=1)
        lps = [v for v in ((choice.get("logprobs") or {}).get("token_logprobs") or []) if isinstance(v, (int, float))]
        return str(choice.get("text", "")), (sum(lps) / len(lps) if lps else None)

    def _choice(self, prompt: str, max_tokens: int, stop: list[str] | None, temperature: float,
                logprobs: int | None = None) -> dict:
        """The first choice of a completion; raises ModelUnavailable after the retries."""
        payload = {"prompt": prompt, "max_tokens": max_tokens, "temperature": temperature, "stop": stop or []}
        if logprobs is not None and not self.logprobs_refused:
            payload["logprobs"] = logprobs
        if self.model:
            payload["model"] = self.model
        last: Exception | None = None
        refused = False
        with self._slots:
            for attempt in range(self.retries + 1):
                try:
                    out = self._request("/completions", payload, self.timeout)
                    with self._lock:
                        self.calls += 1
                    choices = out.get("choices") or []
                    return choices[0] if choices and isinstance(choices[0], dict) else {}
                except urllib.error.HTTPError as err:
                    if err.code in (401, 403):
                        raise ModelUnavailable(f"model server at {self.url} refused the API key (HTTP {err.code})",
                                               "set the key in the environment variable named by model.api_key_env") from None
                    if "logprobs" in payload and err.code not in (429, 503):
                        # llama-cpp-python's own server answers 500 when the model was loaded
                        # without logits_all; others 400: ask it plainly instead.
                        refused = True
                        break
                    if 400 <= err.code < 500 and err.code != 429:
                        raise ModelUnavailable(f"model server at {self.url} rejected the request (HTTP {err.code})") from None
                    last = err
                except (OSError, ValueError, urllib.error.URLError) as err:
                    last = err
                if attempt < self.retries:
                    time.sleep(min(8.0, 0.5 * 2 ** attempt))
        if refused:  # a server that cannot score tokens: ask it plainly, now and from now on
            self.logprobs_refused = True
            return self._choice(prompt, max_tokens, stop, temperature)
        reason = getattr(last, "reason", None) or last
        raise ModelUnavailable(f"model server at {self.url} is not answering ({reason})",
                               "start it with `llmctl serve --detach`, or set model.url in config")
