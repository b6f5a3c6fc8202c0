/**
 * The add-on store's terms of sale, as the configuration states them: the revenue-share table
 * ({@link io.streamspace.billing.catalog.share.ShareTable}: tiers, reset period, cap) and a
 * currency's {@link io.streamspace.billing.catalog.share.ShareTerms}. Pure data with its checks,
 * depending on nothing but {@code money}; the store's rules that apply them are in {@code
 * store.share}, and docs/store-revenue-share.md explains both.
 */
package io.streamspace.billing.catalog.share;
