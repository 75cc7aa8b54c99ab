class Box:
    """A box.

    Args:
        size: How big.
    """

    def __init__(self, size: int) -> None:
        self.size = size
