package io.streamspace.billing.packs;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A pack an account bought, as bought (a later change to the catalog changes none of it), with
 * what happened to it since.
 *
 * @param adds        what it adds to the account's limits, by meter config name
 * @param price       at the currency's decimals: per purchase or renewal of a one-time pack,
 *                    per billing period of a recurring one
 * @param validFrom   one-time: the start of its current validity; recurring: its purchase
 * @param validUntil  one-time: the end of its current validity; recurring: null
 * @param cancelledAt recurring: when it was cancelled, else null
 * @param refundedAt  when its Stripe Checkout payment was refunded in full at Stripe, which
 *                    ended what that payment bought (a renewal keeps its own validity); else null
 * @param active      whether it adds its capacity at the instant it was read
 * @param history     oldest first
 */
public record Purchase(
    long id,
    String userId,
    String packId,
    String packName,
    String kind,
    Map<String, BigDecimal> adds,
    BigDecimal price,
    String currency,
    Integer validDays,
    Instant purchasedAt,
    Instant validFrom,
    Instant validUntil,
    Instant cancelledAt,
    Instant refundedAt,
    boolean active,
    List<Event> history) {

  /**
   * One thing that happened to a purchase: {@code bought}, {@code renewed}, {@code expired},
   * {@code cancelled} or {@code refunded}.
   *
   * @param amount    what it charged (one-time: the price, on its own invoice line; a recurring
   *                  pack's {@code bought}: its price per period, billed period by period); null
   *                  when nothing
   * @param invoiceId the invoice that billed it, once finalized; else null
   * @param paid      paid at Stripe Checkout when bought: never on an invoice
   */
  public record Event(
      String kind,
      Instant at,
      BigDecimal amount,
      Instant validFrom,
      Instant validUntil,
      Long invoiceId,
      boolean paid) {}
}
