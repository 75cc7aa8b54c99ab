class Box:
    """A box."""

    def __init__(self, size: int) -> None:
        """Make one.

        Args:
            size: How big.

        Returns:
            Nothing.
        """
        self.size = size
