package io.streamspace.billing.corrections;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A correction as the routes and {@code billing.usage.corrected} show it: why, what it changed
 * (its entries), and the money, per organization and invoice.
 *
 * @param id null for a preview
 * @param status {@code preview}; {@code recorded} (not applied yet: a crash or a refusal left it,
 *     the next request finishes it); {@code applied}
 */
public record CorrectionView(
    Long id,
    String reason,
    String status,
    Instant createdAt,
    Instant appliedAt,
    List<Item> items,
    List<InvoiceEffect> invoices) {

  /**
   * One entry, as posted: {@code kind} {@code cancel}, {@code amend} (sizes, or a report's
   * quantity) or {@code backfill} (one event: its id, type and instant).
   */
  public record Item(
      int item,
      String kind,
      String orgId,
      String eventId,
      String sessionId,
      Instant from,
      Instant to,
      BigDecimal cpuCores,
      BigDecimal memoryGb,
      BigDecimal storageGb,
      Map<String, BigDecimal> resources,
      BigDecimal quantity,
      String eventType,
      Instant occurredAt) {}

  /**
   * What the correction changed of one invoice's charges before credits.
   *
   * @param invoiceId null for a period not invoiced yet
   * @param outcome {@code on_invoice} (not finalized: the invoice bills the corrected usage),
   *     {@code credit_note}, {@code correction_line}, {@code credit_note_and_correction_line}
   *     (finalized: the difference), {@code no_change}
   * @param lines the lines that changed: kind, resource, unit price, activity, description, the
   *     quantity added, before, after and difference
   */
  public record InvoiceEffect(
      String orgId,
      Long invoiceId,
      String invoiceNumber,
      Instant periodStart,
      Instant periodEnd,
      String currency,
      String outcome,
      BigDecimal before,
      BigDecimal after,
      BigDecimal difference,
      List<Map<String, Object>> lines,
      CreditNote creditNote,
      List<CorrectionLine> correctionLines) {}

  /**
   * What a finalized invoice is credited: by its line number (0: the invoice as a whole), and,
   * once given, the credit note for what the invoice held of it and the account credit for the
   * rest.
   *
   * @param creditNoteId null until issued, or when the invoice held none of it
   * @param status {@code issued}, or {@code pending} until the credit notes give it
   * @param accountCredit what the invoice could not hold, an account credit the next invoices
   *     consume; 0 for none
   * @param creditId that account credit; null for none
   */
  public record CreditNote(
      BigDecimal amount,
      Map<String, BigDecimal> lines,
      Long creditNoteId,
      String status,
      BigDecimal accountCredit,
      Long creditId) {}

  /**
   * A line the organization's next invoice bills for what a finalized invoice's line costs more.
   *
   * @param invoiceId the invoice that bills it; null until the next one is finalized
   */
  public record CorrectionLine(long id, String description, BigDecimal amount, Long invoiceId) {}

  /** This correction as one organization sees it: its own entries and invoices. */
  CorrectionView of(String orgId) {
    return new CorrectionView(
        id,
        reason,
        status,
        createdAt,
        appliedAt,
        items.stream().filter(i -> orgId.equals(i.orgId())).toList(),
        invoices.stream().filter(i -> orgId.equals(i.orgId())).toList());
  }
}
