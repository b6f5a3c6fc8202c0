package io.streamspace.billing.store.purchase;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.streamspace.billing.events.EntitlementEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * A store item as an organization bought it, and the access it gives (its entitlement).
 *
 * @param accountId the buying organization (a personal organization's id is its user's)
 * @param boughtBy the user who bought it: the organization's Owner
 * @param versionId the version bought; a later version or a delisting changes nothing of it
 * @param saleKind {@code one_time}, {@code time_limited} or {@code free}
 * @param saleDays a time-limited sale's days of access; null otherwise
 * @param price as bought, in {@code currency}; 0 when free
 * @param pay {@code invoice} (a line of the organization's next invoice), {@code checkout} or
 *     {@code free}
 * @param status {@code active}, {@code refunded} or {@code charged_back} (paid through Checkout,
 *     its payment's dispute lost): the access of either ended at {@code refundedAt}
 * @param accessFrom when its access starts
 * @param accessUntil when a time-limited access ends; null for good
 * @param invoiceId the invoice that billed it, once one did
 * @param refundedAt when it was refunded or charged back
 * @param refundReason the admin's reason of a refund; a chargeback's dispute and its reason
 * @param paymentIntent the Stripe payment that paid a Checkout purchase (a refund gives it back);
 *     not shown
 */
public record StorePurchase(
    long id,
    String accountId,
    String boughtBy,
    long itemId,
    long versionId,
    String itemName,
    String version,
    String creatorId,
    String saleKind,
    Integer saleDays,
    BigDecimal price,
    String currency,
    String pay,
    Instant purchasedAt,
    String status,
    Instant accessFrom,
    Instant accessUntil,
    Long invoiceId,
    Instant refundedAt,
    String refundReason,
    @JsonIgnore String paymentIntent) {

  public static final String ACTIVE = "active";
  public static final String REFUNDED = "refunded";
  public static final String CHARGED_BACK = "charged_back";

  public StorePurchase {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(price, "price");
  }

  /** Whether it entitles its organization to the item at {@code at}: active, begun, not ended. */
  public boolean entitles(Instant at) {
    return ACTIVE.equals(status)
        && !accessFrom.isAfter(at)
        && (accessUntil == null || accessUntil.isAfter(at));
  }

  /**
   * Its entitlement event ({@code reason} null when granted): until its access's end, or when it
   * was refunded or charged back.
   */
  public EntitlementEvent entitlementEvent(String reason) {
    Instant until = status.equals(ACTIVE) ? accessUntil : refundedAt;
    return new EntitlementEvent(
        accountId, itemId, itemName, version, id, accessFrom, until, reason);
  }
}
