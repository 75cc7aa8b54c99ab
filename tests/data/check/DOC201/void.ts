/**
 * Log.
 * @param m - Message.
 * @returns Nothing.
 */
export function log(m: string): void {}
