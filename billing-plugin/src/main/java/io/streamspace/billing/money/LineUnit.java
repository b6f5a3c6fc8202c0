package io.streamspace.billing.money;

/**
 * What an invoice line charges for, as stored in {@code billing_invoice_lines}: a rated resource
 * ({@link UsageUnit}) or a period counter ({@code quota.Meter}).
 */
public interface LineUnit {

  /** The line's {@code resource_type}: {@code cpu}, {@code storage}, {@code bandwidth_gb}. */
  String resourceType();

  /** The line's {@code unit}: {@code core-hours}, {@code gb-months}, {@code GB}, {@code query}. */
  String label();
}
