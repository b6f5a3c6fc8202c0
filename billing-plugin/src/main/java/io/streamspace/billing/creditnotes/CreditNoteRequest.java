package io.streamspace.billing.creditnotes;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.invoicing.CreditNote;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a credit note is to credit ({@link CreditNotes#issue}): of one finalized invoice, either
 * an amount per line ({@code lines}) or one amount for the whole invoice ({@code amount}, spread
 * over its lines by largest remainder in proportion to what each still holds); amounts as the
 * lines are written (before tax when the invoice's tax is exclusive), each line's tax reversed in
 * proportion.
 *
 * @param lines  the amount per line; null when {@code amount} is given
 * @param amount the whole invoice's amount; null when {@code lines} are given
 * @param reason why, kept with the note and in the audit trail
 * @param refund how the part that lowers no amount due (a paid invoice's, or beyond what was due)
 *     is given back
 * @param key    makes the request idempotent when not null: a second request with the same key
 *     answers the note the first issued and issues none (an admin's {@code Idempotency-Key}, or a
 *     caller's own, e.g. {@code correction:<id>:invoice:<id>}); unique among all notes
 * @param cause  who issues it, for the audit trail
 * @param at     when it is issued (the caller's clock)
 */
public record CreditNoteRequest(
    long invoiceId,
    List<LineCredit> lines,
    BigDecimal amount,
    String reason,
    Refund refund,
    String key,
    Cause cause,
    Instant at) {

  public CreditNoteRequest {
    if ((lines == null) == (amount == null)) {
      throw new IllegalArgumentException("a credit note credits lines or an amount, one of them");
    }
    lines = lines == null ? null : List.copyOf(lines);
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(refund, "refund");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(at, "at");
  }

  /**
   * Whether {@code note} is what this request asks: its refund, and its amount per line (or in
   * all, for a whole-invoice amount). A key is one request: the same key asking other money is
   * not a retry of it.
   */
  public boolean asks(CreditNote note) {
    if (!note.refund().equals(refund.value())) {
      return false;
    }
    if (lines == null) {
      return note.amount().compareTo(amount) == 0;
    }
    Map<Integer, BigDecimal> credited = new TreeMap<>();
    note.lines().forEach(line -> credited.put(line.lineNo(), line.amount()));
    return credited.size() == lines.size()
        && lines.stream()
            .allMatch(
                line ->
                    credited.containsKey(line.lineNo())
                        && credited.get(line.lineNo()).compareTo(line.amount()) == 0);
  }

  /** What to credit of one line (numbered from 1, as on the invoice). */
  public record LineCredit(int lineNo, BigDecimal amount) {}

  /** How what a note gives back of money already paid reaches the organization. */
  public enum Refund {
    /** Onto its prepaid balance: a {@code credit_note} entry. */
    BALANCE,
    /** Through the invoice's payment at Stripe: a Refund, idempotent per note. */
    PAYMENT_METHOD,
    /** Recorded only: given back some other way, or not at all. */
    NONE;

    /** Its wire and stored name: {@code balance}, {@code payment_method}, {@code none}. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The refund of that name. */
    public static Optional<Refund> named(String value) {
      for (Refund refund : values()) {
        if (refund.value().equals(value)) {
          return Optional.of(refund);
        }
      }
      return Optional.empty();
    }
  }
}
