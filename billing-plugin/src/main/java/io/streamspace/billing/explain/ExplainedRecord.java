package io.streamspace.billing.explain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One record behind an invoice line: a usage record (a session's slice of an hour), a billing
 * period's part of a prorated fee, a credit's use, a member's share of a counter or of the seats,
 * or what a plan includes of an hour (negative: the overage is what is left).
 *
 * @param n              its place in the line, from 1, in the explanation's stable order
 * @param source         what it is: {@code usage_record}, {@code plan_allowance}, {@code
 *                       period_part}, {@code pack_charge}, {@code credit_application}, {@code
 *                       member_share}, {@code counter}, {@code seats}, {@code store_purchase},
 *                       {@code balance_entry}
 * @param sessionId      the session a usage record is a slice of, or whose minutes a fault
 *                       credit gave back; null otherwise ({@code ""} for account-level storage)
 * @param unitSeconds    a usage record's exact size × seconds (what money is computed from)
 * @param quantity       in the line's unit, for display (six decimals at most)
 * @param amount         the record's own amount, rounded to the currency's minor unit
 * @param roundingStep   the minor unit {@code amount} and {@code subtotal} are rounded to
 * @param subtotal       the line's rule applied to the exact sum of the records up to and
 *                       including this one: the last record's subtotal is the line's amount
 * @param eventsRetained for a session's record: whether the journal still holds its events;
 *                       null where no session stands behind the record
 * @param events         the journaled events that opened, sized and closed the slice: the last
 *                       one at or before its start and those in it
 */
public record ExplainedRecord(
    long n,
    String source,
    String sessionId,
    String memberId,
    Instant from,
    Instant to,
    BigDecimal unitSeconds,
    BigDecimal quantity,
    String unit,
    BigDecimal unitPrice,
    BigDecimal amount,
    BigDecimal roundingStep,
    BigDecimal subtotal,
    String detail,
    Boolean eventsRetained,
    List<Event> events) {

  /** A journaled event, by the platform's id. */
  public record Event(String id, String type, Instant occurredAt) {}

  ExplainedRecord withEvents(Boolean retained, List<Event> found) {
    return new ExplainedRecord(
        n,
        source,
        sessionId,
        memberId,
        from,
        to,
        unitSeconds,
        quantity,
        unit,
        unitPrice,
        amount,
        roundingStep,
        subtotal,
        detail,
        retained,
        found);
  }
}
