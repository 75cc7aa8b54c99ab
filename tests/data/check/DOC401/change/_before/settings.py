"""Settings loading."""

import json


def load_settings(path, strict=False):
    """Read the settings file at ``path`` and return a dict of its values.

    With ``strict``, unknown keys raise ``KeyError``. The file is JSON.
    """
    with open(path) as fh:
        data = json.load(fh)
    if strict:
        for key in data:
            if key not in ("name", "debug"):
                raise KeyError(key)
    return dict(data)


def describe(settings):
    """A one-line summary of the settings."""
    return ", ".join(f"{k}={v}" for k, v in settings.items())
