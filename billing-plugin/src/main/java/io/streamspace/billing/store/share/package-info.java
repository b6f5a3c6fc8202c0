/**
 * The add-on store's money rules: how a creator's sale is shared with the platform ({@link
 * io.streamspace.billing.store.share.RevenueShare} over the terms the configuration holds, {@link
 * io.streamspace.billing.catalog.share.ShareTable}: tiers, reset period, cap), what refunds and
 * chargebacks take back, and a creator's monthly {@link
 * io.streamspace.billing.store.share.CreatorStatement} with its payout. Pure: no database, no
 * HTTP; the store's tables and routes call it. The rules, with worked figures, are in
 * docs/store-revenue-share.md.
 */
package io.streamspace.billing.store.share;
