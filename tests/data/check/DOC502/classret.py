class Box:
    """A box.

    Args:
        size: How big.

    Returns:
        A box.
    """

    def __init__(self, size: int) -> None:
        self.size = size
