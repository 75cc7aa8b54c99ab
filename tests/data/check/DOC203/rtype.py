def count(items: list) -> int:
    """Count.

    Args:
        items: Things.

    Returns:
        float: How many.
    """
    return len(items)


def maybe(items: list) -> "Optional[int]":
    """Maybe count.

    Args:
        items: Things.

    Returns:
        int | None: How many, if any.
    """
    return len(items) or None
