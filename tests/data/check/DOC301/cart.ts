/**
 * Compute the total price of a cart.
 *
 * @param lines - The cart lines.
 * @returns The total in cents.
 * @throws {RangeError} When a line has no known price.
 */
export function cartTotal(lines: number[]): number {
  return lines.reduce((sum, line) => {
    if (line < 0) throw new RangeError(String(line));
    return sum + line;
  }, 0);
}

/**
 * Nothing.
 *
 * @throws {TypeError} Never, in fact.
 */
export function nothing(): number {
  return 1;
}
