def items(d: dict) -> list:
    """Items.

    Args:
        d: A dict.

    Yields:
        tuple: A pair.
    """
    return list(d.items())
