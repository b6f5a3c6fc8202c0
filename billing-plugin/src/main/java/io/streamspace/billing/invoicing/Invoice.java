package io.streamspace.billing.invoicing;

import io.streamspace.billing.events.InvoiceEvent;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An invoice row, without its lines (the lifecycle writes them; the routes read them through
 * {@link InvoiceQueries}, and see the row as an {@link InvoiceView}).
 *
 * @param invoiceNumber null for a draft, and for a draft that was voided
 * @param balanceApplied what the organization's prepaid balance paid of it at finalization, after
 *     credits (0 for a draft)
 * @param dueAt         null until finalized
 * @param paidAt        null until paid
 * @param credited      what its credit notes came to, tax included (0 without any)
 * @param creditedDue   the part of {@code credited} that lowered what was due on it: what is
 *     left to collect is {@code total − creditedDue} ({@link #amountDue})
 */
public record Invoice(
    long id,
    String invoiceNumber,
    String orgId,
    Instant periodStart,
    Instant periodEnd,
    InvoiceStatus status,
    Currency currency,
    BigDecimal subtotal,
    BigDecimal creditsApplied,
    BigDecimal balanceApplied,
    BigDecimal total,
    Instant finalizedAt,
    Instant dueAt,
    Instant paidAt,
    BigDecimal credited,
    BigDecimal creditedDue) {

  /** An invoice without credit notes. */
  public Invoice(
      long id,
      String invoiceNumber,
      String orgId,
      Instant periodStart,
      Instant periodEnd,
      InvoiceStatus status,
      Currency currency,
      BigDecimal subtotal,
      BigDecimal creditsApplied,
      BigDecimal balanceApplied,
      BigDecimal total,
      Instant finalizedAt,
      Instant dueAt,
      Instant paidAt) {
    this(
        id,
        invoiceNumber,
        orgId,
        periodStart,
        periodEnd,
        status,
        currency,
        subtotal,
        creditsApplied,
        balanceApplied,
        total,
        finalizedAt,
        dueAt,
        paidAt,
        BigDecimal.ZERO,
        BigDecimal.ZERO);
  }

  /**
   * What is still to be paid of it: its total less what its credit notes took off it while it
   * was unpaid; 0 once it is paid or void, the whole total of a draft.
   */
  public BigDecimal amountDue() {
    return switch (status) {
      case SENT, OVERDUE -> total.subtract(creditedDue);
      case DRAFT -> total;
      case PAID, VOID -> BigDecimal.ZERO;
    };
  }

  /**
   * The invoice as its audit entries show it before and after a change: its status, number,
   * amounts and dates.
   */
  public Map<String, Object> audited() {
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("id", id);
    shown.put("invoice_number", invoiceNumber);
    shown.put("status", status.value());
    shown.put("period_start", periodStart);
    shown.put("period_end", periodEnd);
    shown.put("currency", currency.getCurrencyCode());
    shown.put("subtotal", subtotal);
    shown.put("credits_applied", creditsApplied);
    shown.put("balance_applied", balanceApplied);
    shown.put("total", total);
    shown.put("credited", credited);
    shown.put("amount_due", amountDue());
    shown.put("finalized_at", finalizedAt);
    shown.put("due_at", dueAt);
    shown.put("paid_at", paidAt);
    return shown;
  }

  /** Its subject in the audit trail. */
  public String subject() {
    return "invoice:" + id;
  }

  /** What the {@code billing.invoice.*} events tell of it. */
  public InvoiceEvent event() {
    return new InvoiceEvent(
        id,
        invoiceNumber,
        orgId,
        status.value(),
        Money.shown(total, currency),
        currency.getCurrencyCode(),
        periodStart,
        periodEnd,
        dueAt);
  }
}
