class Box:
    """A box.

    Raises:
        ValueError: When the size is negative.
    """

    def __init__(self, size: int) -> None:
        """Make one.

        Args:
            size: How big.

        Raises:
            ValueError: When the size is negative.
        """
        if size < 0:
            raise ValueError(size)
        self.size = size
