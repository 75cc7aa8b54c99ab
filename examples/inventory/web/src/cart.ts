/**
 * A line in the shopping cart.
 */
export interface CartLine {
  sku: string;
  quantity: number;
}

/**
 * Compute the total price of a cart.
 *
 * @param lines - The cart lines.
 * @param prices - Unit prices in cents, by SKU.
 * @returns The total in cents.
 * @throws {RangeError} When a line has no known price.
 */
export function cartTotal(lines: CartLine[], prices: Map<string, number>): number {
  return lines.reduce((sum, line) => {
    const price = prices.get(line.sku);
    if (price === undefined) throw new RangeError(line.sku);
    return sum + price * line.quantity;
  }, 0);
}

export const formatCents = (cents: number, currency = "EUR"): string =>
  `${(cents / 100).toFixed(2)} ${currency}`;

/** Keeps the cart of one session. */
export class Cart {
  private lines: CartLine[] = [];

  /**
   * Add units of an item.
   * @param sku The item.
   * @param quantity How many units.
   */
  add(sku: string, quantity = 1): void {
    this.lines.push({ sku, quantity });
  }

  clear() {
    this.lines = [];
  }
}
