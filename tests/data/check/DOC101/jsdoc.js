/**
 * Sum.
 * @param {number} a First.
 * @param {number} b Second.
 * @returns {number} The sum.
 */
export function sum(a, c) { return a + c; }
