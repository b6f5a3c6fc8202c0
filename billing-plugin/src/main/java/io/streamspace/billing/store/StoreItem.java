package io.streamspace.billing.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * An item of the store at one of its versions, as the catalog, its creator and the moderation
 * queue show it.
 *
 * @param id the item's id (the same for all its versions)
 * @param versionId the version's own id
 * @param status {@code pending_review}, {@code approved} or {@code rejected}: the version's
 * @param price what it costs, by currency code (USD, VND); empty when free
 * @param saleKind {@code one_time}, {@code time_limited} or {@code free}
 * @param saleDays a time-limited sale's days of access; null otherwise
 * @param rejectReason why an admin rejected this version; null otherwise
 * @param delistedAt when an admin took the item off the catalog; null while listed
 */
public record StoreItem(
    long id,
    String creatorId,
    String name,
    long versionId,
    String version,
    String status,
    Map<String, BigDecimal> price,
    String saleKind,
    Integer saleDays,
    String bundleSha256,
    Instant submittedAt,
    Instant reviewedAt,
    String reviewedBy,
    String rejectReason,
    Instant delistedAt,
    String delistReason) {

  public static final String PENDING_REVIEW = "pending_review";
  public static final String APPROVED = "approved";
  public static final String REJECTED = "rejected";

  public StoreItem {
    price = Map.copyOf(price);
  }
}
