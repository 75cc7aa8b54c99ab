/**
 * Sum.
 * @param a - First.
 * @param b - Second.
 */
export function sum(a: number, c: number): number { return a + c; }
