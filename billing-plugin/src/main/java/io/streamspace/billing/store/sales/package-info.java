/**
 * The add-on store's creator money, persisted: the ledger of sales, refunds and chargebacks
 * ({@link io.streamspace.billing.store.sales.StoreSales}, table {@code billing_store_sales}),
 * creators' monthly statements and the payouts they make due ({@link
 * io.streamspace.billing.store.sales.CreatorStatements}), and the admin's month of revenue ({@link
 * io.streamspace.billing.store.sales.StoreRevenue}). The money rules themselves are the pure ones
 * of {@code store.share}; docs/store-revenue-share.md explains both.
 */
package io.streamspace.billing.store.sales;
