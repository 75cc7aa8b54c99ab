"""Java's public API: ``public``/``protected`` types and members outside ``src/test``, in the packages a
module exports; one page per top-level type.

Where a source root has a ``module-info.java``, its unqualified ``exports`` are the API, as the JDK
enforces them: gson exports ``com.google.gson``, ``.annotations``, ``.reflect`` and ``.stream``, and its
34 public classes under ``com.google.gson.internal`` were documented as if they were API. Without one, a
package with an ``internal`` segment is left out, by the convention gson, OkHttp and Eclipse follow (and
Go enforces). Pages are named after the type's qualified name (``com.squareup.javapoet.JavaFile.md``), as
Javadoc names them, not after the file's path under ``src/main/java``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from llmctl.analyzers.symbols import TYPE_KINDS, Symbol
from llmctl.core.api import PublicApi, default_entries

_EXPORTS = re.compile(r"^\s*exports\s+([\w.]+)\s*;", re.M)  # "exports a.b to c.d;" (qualified) is not matched
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def _page_name(mod: Symbol, public: list[Symbol]) -> str:
    top = next((s for s in public if s.kind in TYPE_KINDS and s.parent and "." not in s.id[len(s.parent) + 1:]
                and not any(t.kind in TYPE_KINDS and s.parent == t.id for t in public)), None)
    return top.id if top is not None else mod.path.rsplit(".", 1)[0].replace("/", ".")


class _Modules:
    """The ``module-info.java`` over each directory, read once per directory."""

    def __init__(self, read: Callable[[str], bytes | None]):
        self.read = read
        self.found: dict[str, tuple[str, set[str]] | None] = {}

    def over(self, directory: str) -> tuple[str, set[str]] | None:
        """(the source root holding ``module-info.java``, the packages it exports) for ``directory``, or None."""
        if directory not in self.found:
            data = self.read(f"{directory}/module-info.java" if directory else "module-info.java")
            if data is not None:
                text = _COMMENT.sub("", data.decode("utf-8", "replace"))
                self.found[directory] = (directory, set(_EXPORTS.findall(text)))
            elif directory:
                self.found[directory] = self.over(directory.rsplit("/", 1)[0] if "/" in directory else "")
            else:
                self.found[directory] = None
        return self.found[directory]


def exported(path: str, modules: _Modules) -> bool:
    """Whether the file at ``path`` is in a package its module exports (or, with no module, not ``internal``)."""
    directory = path.rsplit("/", 1)[0] if "/" in path else ""
    module = modules.over(directory)
    if module is None:
        return "internal" not in directory.split("/")
    root, exports = module
    package = directory[len(root):].strip("/").replace("/", ".")
    return package in exports


def entries(symbols: list[Symbol], api: PublicApi, read) -> None:
    """Public Java symbols of exported packages, one page per top-level type."""
    modules = _Modules(read)
    default_entries([s for s in symbols if exported(s.path, modules)], api, _page_name)
