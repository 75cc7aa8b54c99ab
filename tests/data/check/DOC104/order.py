def move(src: str, dst: str) -> None:
    """Move a file.

    Args:
        dst: Where to.
        src: What to move.
    """
