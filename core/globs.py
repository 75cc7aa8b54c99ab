"""gitignore-style glob matching for config patterns, without importing pathspec.

pathspec costs ~40 ms to import (it probes for optional backends); the
pre-commit hook matches a handful of patterns and cannot spare that. Supported:
``*``, ``?``, ``[...]``, ``**`` (any folders), a pattern without a slash
matching at any depth, a trailing ``/`` matching a folder and everything in it.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    pat = pattern.strip()
    dir_only = pat.endswith("/")
    pat = pat.rstrip("/")
    anchored = "/" in pat
    pat = pat.lstrip("/")
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pat.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pat.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                out.append("[" + pat[i + 1:j].replace("!", "^", 1) + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "/.*" if dir_only else "(?:/.*)?"
    return re.compile(f"^{prefix}{body}{suffix}$")


def match(path: str, patterns: list[str]) -> bool:
    """True when the relative posix ``path`` matches any of the gitignore-style ``patterns``."""
    return any(_compile(p).match(path) for p in patterns if p.strip() and not p.startswith("#"))
