"""Inventory: track items, stock levels and reservations."""

from inventory.stock import Item, Stock

__all__ = ["Item", "Stock"]
