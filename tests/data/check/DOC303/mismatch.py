def load(path: str) -> str:
    """Load a file.

    Args:
        path: Where.

    Returns:
        The text.

    Raises:
        FileNotFoundError: When it is missing.
    """
    if not path:
        raise ValueError("empty path")
    return open(path).read()
