class Walker:
    """Walk.

    Args:
        root: Where to start.

    Yields:
        str: Paths.
    """

    def __init__(self, root: str) -> None:
        self.root = root
