from typing import Iterator


def numbers(n: int) -> Iterator[int]:
    """Count up.

    Args:
        n: Where to stop.
    """
    yield from range(n)
    yield n


def words(text: str) -> Iterator[str]:
    """Split.

    Args:
        text: The text.

    Yields:
        str: One word.
    """
    for w in text.split():
        yield w
