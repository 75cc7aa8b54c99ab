from typing import Iterator


def lines(path: str) -> Iterator[str]:
    """Read lines.

    Args:
        path: A file.

    Yields:
        bytes: One line.
    """
    with open(path) as fh:
        yield from fh
    yield ""
