package io.streamspace.billing.invoicing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.tax.TaxLine;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * An invoice as its owner reads it ({@link #of} an {@link Invoice} row). Amounts are shown with
 * the currency's decimals.
 *
 * @param invoiceNumber null while the invoice is a draft: numbers are assigned at finalization
 * @param dueDate       the instant payment is due; null for a draft
 * @param paidAt        null until paid
 * @param finalInvoice  {@code "final": true} on a closed organization's final invoice (the one
 *                      ending at its closing, org.deleted), absent on any other
 * @param tax           the tax Stripe Tax calculated (stripeTax); null when {@code taxStatus} is
 *                      not {@code calculated}: no rate is ever invented
 * @param totalExcludingTax what the lines come to without the tax (the subtotal, less the tax
 *                      when the lines include it); null unless the tax is calculated
 * @param balanceApplied what the prepaid balance paid of it at finalization, after credits
 * @param credited      what its credit notes gave back, tax included ({@link CreditNote})
 * @param amountDue     what is still to be paid of it: {@code total} less what its credit notes
 *                      took off it while it was unpaid; 0 once paid or void
 * @param totalIncludingTax what they come to with the tax, before credits (the subtotal, plus
 *                      the tax when the lines exclude it); null unless the tax is calculated
 * @param taxStatus     {@code calculated}, {@code not_calculated} (no stripeTax: "Tax not
 *                      calculated") or {@code failed} (a draft whose calculation failed)
 * @param taxFailure    why its tax could not be calculated; absent unless {@code failed}
 */
public record InvoiceView(
    long id,
    String userId,
    String invoiceNumber,
    Instant periodStart,
    Instant periodEnd,
    String status,
    String currency,
    BigDecimal subtotal,
    BigDecimal creditsApplied,
    BigDecimal balanceApplied,
    BigDecimal total,
    BigDecimal credited,
    BigDecimal amountDue,
    Instant dueDate,
    Instant paidAt,
    @JsonProperty("final") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean finalInvoice,
    BigDecimal tax,
    BigDecimal totalExcludingTax,
    BigDecimal totalIncludingTax,
    String taxStatus,
    @JsonInclude(JsonInclude.Include.NON_NULL) String taxFailure) {

  /** {@code tax_status} of an invoice whose tax Stripe Tax calculated. */
  public static final String TAX_CALCULATED = "calculated";

  /** {@code tax_status} of an invoice without tax calculated: no stripeTax. */
  public static final String TAX_NOT_CALCULATED = "not_calculated";

  /** {@code tax_status} of a draft whose tax calculation failed. */
  public static final String TAX_FAILED = "failed";

  /** How an invoice says it has no tax calculated (PDF, CSV). */
  public static final String TAX_NOT_CALCULATED_TEXT = "Tax not calculated";

  /** The invoice as its owner reads it: its amounts rounded for showing. */
  static InvoiceView of(Invoice invoice) {
    return of(invoice, null, null);
  }

  /**
   * A draft's or an invoice's stored tax ({@code billing_invoice_taxes}).
   *
   * @param inclusive whether the lines include the tax ({@code taxBehavior} inclusive)
   */
  record StoredTax(boolean calculated, BigDecimal tax, boolean inclusive, String reason) {}

  /**
   * The invoice of an organization closed at {@code closedAt} (null: open): final when it
   * reaches the closing, as no invoice comes after it.
   */
  static InvoiceView of(Invoice invoice, Instant closedAt, StoredTax stored) {
    Currency currency = invoice.currency();
    BigDecimal subtotal = Money.shown(invoice.subtotal(), currency);
    boolean calculated = stored != null && stored.calculated();
    BigDecimal tax = calculated ? Money.shown(stored.tax(), currency) : null;
    // a draft's subtotal is not stored yet: its totals are known once it is finalized
    boolean totals = calculated && invoice.status() != InvoiceStatus.DRAFT;
    return new InvoiceView(
        invoice.id(),
        invoice.orgId(),
        invoice.invoiceNumber(),
        invoice.periodStart(),
        invoice.periodEnd(),
        invoice.status().value(),
        currency.getCurrencyCode(),
        subtotal,
        Money.shown(invoice.creditsApplied(), currency),
        Money.shown(invoice.balanceApplied(), currency),
        Money.shown(invoice.total(), currency),
        Money.shown(invoice.credited(), currency),
        Money.shown(invoice.amountDue(), currency),
        invoice.dueAt(),
        invoice.paidAt(),
        closedAt != null && !invoice.periodEnd().isBefore(closedAt),
        tax,
        totals ? (stored.inclusive() ? subtotal.subtract(tax) : subtotal) : null,
        totals ? (stored.inclusive() ? subtotal : subtotal.add(tax)) : null,
        stored == null ? TAX_NOT_CALCULATED : calculated ? TAX_CALCULATED : TAX_FAILED,
        stored == null || calculated ? null : stored.reason());
  }

  /**
   * One stored line of an invoice.
   *
   * @param resourceType for usage and overage lines; else null (likewise quantity, unit and
   *                     unit price)
   * @param amount       rounded to the currency's minor unit; credit and prepaid lines are
   *                     negative
   * @param activity     {@code idle} or {@code disconnected} on a usage line of time priced at
   *                     an activity factor (named e.g. {@code CPU, idle (× 0.5)}), {@code
   *                     hibernated} on one of a hibernated session's time (at nothing); else
   *                     absent
   * @param saved        such a line's saving: what its time would have cost at the full price
   *                     less its amount; else absent
   * @param discountsLine on a {@code discount} line (a coupon's, negative), the number of the
   *                     line it takes something off; else absent
   */
  public record Line(
      int lineNo,
      String kind,
      String description,
      String resourceType,
      BigDecimal quantity,
      String unit,
      BigDecimal unitPrice,
      BigDecimal amount,
      Instant periodStart,
      Instant periodEnd,
      @JsonInclude(JsonInclude.Include.NON_NULL) String activity,
      @JsonInclude(JsonInclude.Include.NON_NULL) BigDecimal saved,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer discountsLine) {

    /** A line that discounts none. */
    public Line(
        int lineNo,
        String kind,
        String description,
        String resourceType,
        BigDecimal quantity,
        String unit,
        BigDecimal unitPrice,
        BigDecimal amount,
        Instant periodStart,
        Instant periodEnd,
        String activity,
        BigDecimal saved) {
      this(
          lineNo,
          kind,
          description,
          resourceType,
          quantity,
          unit,
          unitPrice,
          amount,
          periodStart,
          periodEnd,
          activity,
          saved,
          null);
    }

    /** A line at the full price, or not of usage. */
    public Line(
        int lineNo,
        String kind,
        String description,
        String resourceType,
        BigDecimal quantity,
        String unit,
        BigDecimal unitPrice,
        BigDecimal amount,
        Instant periodStart,
        Instant periodEnd) {
      this(
          lineNo,
          kind,
          description,
          resourceType,
          quantity,
          unit,
          unitPrice,
          amount,
          periodStart,
          periodEnd,
          null,
          null);
    }
  }

  /**
   * A member's part of one line of a team's invoice.
   *
   * @param quantity their part of the line's quantity, in its unit
   */
  public record LinePart(int lineNo, BigDecimal quantity, BigDecimal amount) {}

  /**
   * A member's row of a team's breakdown: their parts of the lines and what those add up to.
   *
   * @param usage the lines their sessions made, a part each
   */
  public record MemberAmount(String userId, List<LinePart> usage, BigDecimal amount) {

    public MemberAmount {
      usage = List.copyOf(usage);
    }
  }

  /**
   * The invoice with its lines, shown as one JSON object. A draft may have no stored lines yet.
   *
   * <p>A team organization's invoice also has {@code by_member}, each member's parts of the
   * lines (by user id), and {@code organization_amount}, what is the organization's (plan
   * fees, packs, storage, less a coupon's discounts): together they add up to {@code subtotal} to
   * the minor unit ({@link MemberShares}). Credits are applied to the invoice as a whole, not
   * broken down. A finalized invoice shows the breakdown stored when it was finalized; a draft,
   * what finalizing it now would store. A personal organization's invoice has neither.
   *
   * <p>{@code tax_lines} are the rows of its tax as Stripe Tax calculated it, a line's tax in
   * one jurisdiction each (empty unless {@code tax_status} is {@code calculated}).
   *
   * @param byMember           null but for a team's invoice; members in user id order
   * @param organizationAmount null but for a team's invoice
   * @param totalSaved         what idle pricing and hibernation saved: the sum of the lines'
   *                           {@code saved}; absent when no line has one
   * @param creditNotes        its credit notes, oldest first (none for a draft)
   */
  public record WithLines(
      @JsonUnwrapped InvoiceView invoice,
      List<Line> lines,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<MemberAmount> byMember,
      @JsonInclude(JsonInclude.Include.NON_NULL) BigDecimal organizationAmount,
      List<TaxLine> taxLines,
      @JsonInclude(JsonInclude.Include.NON_NULL) BigDecimal totalSaved,
      List<CreditNote> creditNotes) {

    public WithLines(
        InvoiceView invoice,
        List<Line> lines,
        List<MemberAmount> byMember,
        BigDecimal organizationAmount,
        List<TaxLine> taxLines,
        List<CreditNote> creditNotes) {
      this(invoice, lines, byMember, organizationAmount, taxLines, saved(lines), creditNotes);
    }

    public WithLines {
      lines = List.copyOf(lines);
      byMember = byMember == null ? null : List.copyOf(byMember);
      taxLines = List.copyOf(taxLines);
      creditNotes = List.copyOf(creditNotes);
    }

    /** A personal organization's invoice: no breakdown. */
    public WithLines(
        InvoiceView invoice,
        List<Line> lines,
        List<TaxLine> taxLines,
        List<CreditNote> creditNotes) {
      this(invoice, lines, null, null, taxLines, creditNotes);
    }

    /** Its credit notes' parts of line {@code lineNo}, oldest first, each with its note. */
    public List<CreditNote.Credited> creditedOn(int lineNo) {
      return creditNotes.stream()
          .flatMap(
              note ->
                  note.lines().stream()
                      .filter(l -> l.lineNo() == lineNo)
                      .map(l -> new CreditNote.Credited(note, l)))
          .toList();
    }

    /** The sum of the lines' savings; null when none has one. */
    private static BigDecimal saved(List<Line> lines) {
      return lines.stream()
          .map(Line::saved)
          .filter(Objects::nonNull)
          .reduce(BigDecimal::add)
          .orElse(null);
    }
  }
}
