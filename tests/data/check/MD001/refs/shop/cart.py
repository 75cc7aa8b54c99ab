class Cart:
    """A cart."""

    def add_item(self, sku, quantity=1):
        """Add."""


def checkout(cart, *, express=False):
    """Pay."""
