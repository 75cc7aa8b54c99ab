class Point:
    """A point.

    Args:
        x: Across.
        y: Down.
    """

    def __init__(self, x: int, y: int) -> None:
        """Make a point."""
        self.x, self.y = x, y


class Size:
    """A size.

    Raises:
        ValueError: For negative sizes.
    """

    def __init__(self, w: int, h: int) -> None:
        if w < 0 or h < 0:
            raise ValueError("negative")
        self.w, self.h = w, h
