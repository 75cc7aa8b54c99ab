"""Reports over a :class:`~inventory.stock.Stock`."""

from __future__ import annotations

from inventory.stock import Item, Stock


def stock_value(stock: Stock, catalogue: dict[str, Item]) -> int:
    """Total value of the stock on hand, in cents.

    Parameters
    ----------
    stock : Stock
        The stock to value.
    catalogue : dict[str, Item]
        Items by SKU, for their unit prices.

    Returns
    -------
    int
        The sum of quantity times unit price.
    """
    return sum(q * catalogue[sku].unit_price for sku, q in stock.on_hand.items() if sku in catalogue)


def low_stock(stock: Stock, threshold: int = 5) -> list[str]:
    """List the SKUs whose available quantity is under a threshold.

    :param stock: The stock to inspect.
    :param threshold: Report SKUs with fewer units than this.
    :returns: SKUs sorted alphabetically.
    :rtype: list[str]
    """
    return sorted(sku for sku in stock.on_hand if stock.available(sku) < threshold)


def format_report(stock, width=40):
    lines = [f"{sku:<{width - 10}}{stock.available(sku):>10}" for sku in sorted(stock.on_hand)]
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    return text.ljust(width)
