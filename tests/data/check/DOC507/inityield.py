class Walker:
    """Walk."""

    def __init__(self, root: str) -> None:
        """Start.

        Args:
            root: Where to start.

        Yields:
            str: Paths.
        """
        self.root = root
