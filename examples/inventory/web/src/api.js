/**
 * Fetch the stock level of an item from the inventory API.
 * @param {string} baseUrl The API root.
 * @param {string} sku The item.
 * @returns {Promise<number>} Units available.
 */
export async function fetchStock(baseUrl, sku) {
  const res = await fetch(`${baseUrl}/stock/${encodeURIComponent(sku)}`);
  return (await res.json()).available;
}

export function retry(fn, { attempts = 3, delayMs = 100 } = {}, ...extra) {
  return fn(...extra);
}
