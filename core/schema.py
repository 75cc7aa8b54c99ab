"""Validated settings records, without pydantic: dataclasses plus a small checker.

The configuration is read on every command, the pre-commit hook included, and
importing pydantic's model machinery costs about 100 ms there -- a third of
the hook's budget. Settings are plain dataclasses whose fields carry their
description and bounds (:func:`Field`); :func:`validate` turns a TOML table
into a record, refusing unknown keys and wrong values with a message that
names the key and what was expected (pydantic's wording, so users see the same
text as before).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any, Literal, get_args, get_origin


class SchemaError(ValueError):
    """A value that does not fit: where (dotted key), what was expected, what was given."""

    def __init__(self, loc: str, message: str, value: Any, unknown: list[str] | None = None):
        super().__init__(f"{loc}: {message}")
        self.loc, self.message, self.value, self.expected_keys = loc, message, value, unknown


def Field(default: Any = dataclasses.MISSING, *, default_factory: Any = dataclasses.MISSING, description: str = "",  # noqa: N802
          ge: float | None = None, le: float | None = None, gt: float | None = None, min_length: int | None = None,
          pattern: str | None = None) -> Any:
    """A dataclass field with a description and bounds (the names pydantic uses)."""
    meta = {"description": description, "ge": ge, "le": le, "gt": gt, "min_length": min_length, "pattern": pattern}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


class Section:
    """Base of a settings record: ``Section(**table)`` validates; ``model_dump()`` gives plain data back."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, _check(getattr(self, f.name), _hints(type(self))[f.name], f.name, f.metadata))

    @classmethod
    def validate(cls, data: Any, loc: str = "") -> Section:
        """A record from a table, unknown keys refused."""
        if not isinstance(data, dict):
            raise SchemaError(loc or "(top level)", "input should be a table", data)
        names = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in names:
                raise SchemaError(f"{loc}.{key}" if loc else str(key), "unknown key", data[key], names)
        try:
            return cls(**data)
        except SchemaError as err:
            if loc:
                err.loc = f"{loc}.{err.loc}"
            raise

    def model_dump(self) -> dict[str, Any]:
        """The record as plain data (nested sections too)."""
        return dataclasses.asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        """The keys this section accepts."""
        return [f.name for f in dataclasses.fields(cls)]


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _bounds(value: Any, loc: str, meta: dict) -> None:
    if meta.get("ge") is not None and value < meta["ge"]:
        raise SchemaError(loc, f"input should be greater than or equal to {meta['ge']}", value)
    if meta.get("gt") is not None and value <= meta["gt"]:
        raise SchemaError(loc, f"input should be greater than {meta['gt']}", value)
    if meta.get("le") is not None and value > meta["le"]:
        raise SchemaError(loc, f"input should be less than or equal to {meta['le']}", value)


def _check(value: Any, hint: Any, loc: str, meta: Any = None) -> Any:
    meta = meta or {}
    origin = get_origin(hint)
    if isinstance(hint, type) and issubclass(hint, Section):
        return value if isinstance(value, hint) else hint.validate(value, loc)
    if origin in (typing.Union, types.UnionType):  # the first alternative that takes the value
        errors = []
        for alternative in get_args(hint):
            try:
                return _check(value, alternative, loc, meta)
            except SchemaError as err:
                errors.append(err.message)
        raise SchemaError(loc, " or ".join(errors), value)
    if origin is Literal:
        choices = get_args(hint)
        if value not in choices:
            raise SchemaError(loc, "input should be " + ", ".join(repr(c) for c in choices), value)
        return value
    if origin is list:
        if not isinstance(value, list):
            raise SchemaError(loc, "input should be a valid list", value)
        (item,) = get_args(hint)
        return [_check(v, item, f"{loc}.{i}") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise SchemaError(loc, "input should be a valid dictionary", value)
        k, v = get_args(hint)
        return {_check(key, k, loc): _check(val, v, f"{loc}.{key}") for key, val in value.items()}
    if hint is bool:
        if not isinstance(value, bool):
            raise SchemaError(loc, "input should be a valid boolean", value)
    elif hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaError(loc, "input should be a valid integer", value)
        _bounds(value, loc, meta)
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SchemaError(loc, "input should be a valid number", value)
        value = float(value)
        _bounds(value, loc, meta)
    elif hint is str:
        if not isinstance(value, str):
            raise SchemaError(loc, "input should be a valid string", value)
        if meta.get("min_length") and len(value) < meta["min_length"]:
            raise SchemaError(loc, f"string should have at least {meta['min_length']} character", value)
        if meta.get("pattern") and not re.search(meta["pattern"], value):
            raise SchemaError(loc, f"string should match pattern '{meta['pattern']}'", value)
    return value
