package com.example.inventory;

import java.io.IOException;

/**
 * Client for the inventory HTTP API.
 */
public class StockClient {
    private final String baseUrl;

    /**
     * Create a client.
     * @param baseUrl the API root
     */
    public StockClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /**
     * Fetch the available units of an item.
     *
     * @param sku the item
     * @return units available
     * @throws IOException when the API cannot be reached
     */
    public int available(String sku) throws IOException {
        return 0;
    }

    @Deprecated
    public int reserve(String sku, int... quantities) {
        return quantities.length;
    }

    private void log(String message) {}
}
