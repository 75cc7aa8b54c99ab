from typing import Iterable, Iterator, List, Sequence, Tuple


def pair(text: str) -> Tuple[str, str]:
    """Split at the first colon: a tuple's type written as docstrings write one.

    :param text: The text.
    :rtype: (str,str)
    """
    a, _, b = text.partition(":")
    return a, b


def build(name: str) -> "Syntax":
    """Build one.

    Args:
        name (str): Its name.

    Returns:
        [Syntax]: A whole type in brackets, as rich writes it.
    """
    return Syntax(name)


def flag(new_line_start: bool = False) -> int:
    """A flag whose default follows its type.

    Args:
        new_line_start (bool, False): Start on a new line.

    Returns:
        int: One.
    """
    return 1


def children(items: Sequence["Layout"]) -> int:
    """Count.

    Args:
        items (Sequence(Layout)): Round brackets for square ones.

    Returns:
        int: How many.
    """
    return len(items)


def rows(n: int) -> Iterable[List[int]]:
    """Rows.

    Args:
        n (int): How many.

    Yields:
        Iterator[List[int]]: The generator's type, not the element's.
    """
    yield [n]


def wrong(n: int) -> Iterator[str]:
    """Still wrong once read as an element type.

    Args:
        n (int): How many.

    Yields:
        Iterator[int]: Says int; the annotation yields str.
    """
    yield str(n)


def wrong_pair(text: str) -> Tuple[str, int]:
    """Still wrong once read as a tuple: says two strings; the annotation says a string and an int.

    :param text: The text.
    :rtype: (str,str)
    """
    return text, 1


class Syntax:
    pass
