/**
 * Add.
 * @param a - First.
 * @param b - Second.
 */
export function add(a: number, b: number): number { return a + b; }
