package io.streamspace.billing.store.bundle;

/** How an item is sold: bought once for good, bought for a number of days, or free. */
public sealed interface SaleModel {

  /** Bought once, applied for good ({@code "kind":"one_time"}). */
  record OneTime() implements SaleModel {}

  /** Bought for {@code days} days of access ({@code "kind":"time_limited","days":30}). */
  record TimeLimited(int days) implements SaleModel {}

  /** Free: no price at all ({@code "kind":"free"}). */
  record Free() implements SaleModel {}
}
