"""Settings loading."""

import tomllib


def load_settings(path):
    """Read the settings file at ``path`` and return a dict of its values.

    With ``strict``, unknown keys raise ``KeyError``. The file is JSON.
    """
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return [(k, v) for k, v in data.items()]


def describe(settings):
    """A one-line summary of the settings."""
    return "; ".join(f"{k}={v}" for k, v in sorted(settings.items()))
