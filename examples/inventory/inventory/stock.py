"""Stock levels and reservations for a single warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field


class OutOfStock(Exception):
    """Raised when a reservation asks for more than is available."""


@dataclass
class Item:
    """A stock-keeping unit.

    Args:
        sku: The unique stock-keeping code.
        name: A human-readable name.
        unit_price: Price of one unit in cents.
    """

    sku: str
    name: str
    unit_price: int = 0


@dataclass
class Stock:
    """Quantities on hand and reserved, per SKU."""

    on_hand: dict[str, int] = field(default_factory=dict)
    reserved: dict[str, int] = field(default_factory=dict)

    def receive(self, sku: str, quantity: int) -> int:
        """Add delivered units to the stock.

        Args:
            sku: The item received.
            quantity: How many units arrived; must be positive.

        Returns:
            The new quantity on hand.

        Raises:
            ValueError: If quantity is not positive.
        """
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self.on_hand[sku] = self.on_hand.get(sku, 0) + quantity
        return self.on_hand[sku]

    def available(self, sku: str) -> int:
        """Return the units that can still be reserved."""
        return self.on_hand.get(sku, 0) - self.reserved.get(sku, 0)

    def reserve(self, sku: str, quantity: int, *, partial: bool = False) -> int:
        """Hold units for an order.

        Args:
            sku: The item to reserve.
            quantity: Units wanted.
            partial: Reserve what is available instead of failing.

        Returns:
            The number of units actually reserved.

        Raises:
            OutOfStock: If not enough units are available and ``partial`` is false.
        """
        free = self.available(sku)
        if quantity > free and not partial:
            raise OutOfStock(sku)
        taken = min(quantity, free)
        self.reserved[sku] = self.reserved.get(sku, 0) + taken
        return taken

    def release(self, sku, quantity):
        taken = min(quantity, self.reserved.get(sku, 0))
        self.reserved[sku] = self.reserved.get(sku, 0) - taken
        return taken
