class Box:
    """A box."""

    def put(self, item):
        """Put an item in.

        Args:
            item: The item.
        """
        self.item = item

    @classmethod
    def make(cls, size):
        """Make one.

        Args:
            size: How big.

        Returns:
            A new box.
        """
        return cls()
