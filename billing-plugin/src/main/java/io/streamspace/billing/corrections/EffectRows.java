package io.streamspace.billing.corrections;

import io.streamspace.billing.corrections.Effect.Change;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.json.JsonMapper;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.List;

/**
 * Stores a correction's money (V87): each invoice's effect; for a finalized one, a charge per
 * line it made cost more (billed by the organization's next invoice) and one credit for what it
 * made cost less, by the invoice's line ({@link CreditedLines}; issued as a credit note in a later
 * step). In the caller's transaction.
 */
final class EffectRows {

  private static final NamedSql EFFECT =
      NamedSql.of(
          """
          INSERT INTO billing_correction_effects (correction_id, effect_no, org_id, invoice_id,
              invoice_number, period_start, period_end, currency, finalized, before, after, lines)
          VALUES (:correction, :no, :org, :invoice, :number, :period_start, :period_end,
                  :currency, :finalized, :before, :after, :lines::jsonb)""");

  private static final NamedSql CHARGE =
      NamedSql.of(
          """
          INSERT INTO billing_correction_charges (correction_id, org_id, corrected_invoice_id,
              currency, description, line_kind, resource_type, unit, unit_price, activity,
              quantity, before_amount, after_amount, amount, period_start, period_end)
          VALUES (:correction, :org, :invoice, :currency, :description, :kind, :resource,
                  :unit, :unit_price, :activity, :quantity, :before, :after, :amount,
                  :period_start, :period_end)""");

  private static final NamedSql CREDIT =
      NamedSql.of(
          """
          INSERT INTO billing_correction_credits (correction_id, invoice_id, org_id, currency,
              amount, lines)
          VALUES (:correction, :invoice, :org, :currency, :amount, :lines::jsonb)""");

  private EffectRows() {}

  static void store(Connection connection, long correctionId, List<Effect> effects, ZoneId zone)
      throws SQLException {
    int no = 0;
    for (Effect effect : effects) {
      Invoice invoice = effect.invoice();
      EFFECT
          .bind("correction", correctionId)
          .bind("no", no++)
          .bind("org", invoice.orgId())
          .bind("invoice", invoice.id() == 0 ? null : invoice.id())
          .bind("number", invoice.invoiceNumber())
          .bind("period_start", invoice.periodStart())
          .bind("period_end", invoice.periodEnd())
          .bind("currency", invoice.currency().getCurrencyCode())
          .bind("finalized", effect.finalized())
          .bind("before", effect.before())
          .bind("after", effect.after())
          .bind("lines", JsonMapper.write(effect.lines()))
          .update(connection);
      if (effect.finalized()) {
        owed(connection, correctionId, effect, zone);
      }
    }
  }

  /** A finalized invoice's difference: charges for what costs more, a credit for what less. */
  private static void owed(Connection connection, long correctionId, Effect effect, ZoneId zone)
      throws SQLException {
    Invoice invoice = effect.invoice();
    CreditedLines credited = CreditedLines.of(connection, invoice.id());
    BigDecimal credit = BigDecimal.ZERO;
    for (Change change : effect.lines()) {
      BigDecimal difference = change.difference();
      if (difference.signum() > 0) {
        CHARGE
            .bind("correction", correctionId)
            .bind("org", invoice.orgId())
            .bind("invoice", invoice.id())
            .bind("currency", invoice.currency().getCurrencyCode())
            .bind("description", description(correctionId, invoice, change, zone))
            .bind("kind", change.kind())
            .bind("resource", change.resourceType())
            .bind("unit", change.unit())
            .bind("unit_price", change.unitPrice())
            .bind("activity", change.activity())
            .bind("quantity", change.quantity())
            .bind("before", change.before())
            .bind("after", change.after())
            .bind("amount", difference)
            .bind("period_start", invoice.periodStart())
            .bind("period_end", invoice.periodEnd())
            .update(connection);
      } else if (difference.signum() < 0) {
        credited.credit(change, difference.negate());
        credit = credit.add(difference.negate());
      }
    }
    if (credit.signum() > 0) {
      CREDIT
          .bind("correction", correctionId)
          .bind("invoice", invoice.id())
          .bind("org", invoice.orgId())
          .bind("currency", invoice.currency().getCurrencyCode())
          .bind("amount", credit)
          .bind("lines", JsonMapper.write(credited.byLine()))
          .update(connection);
    }
  }

  /**
   * "Correction 7 to INV-2026-000001 (2026-03-01 – 2026-04-01): cpu usage" ("This correction" in
   * a preview).
   */
  private static String description(
      long correctionId, Invoice invoice, Change change, ZoneId zone) {
    return "%s to %s (%s – %s): %s"
        .formatted(
            correctionId == CorrectionJournal.PREVIEW
                ? "This correction"
                : "Correction " + correctionId,
            invoice.invoiceNumber(),
            invoice.periodStart().atZone(zone).toLocalDate(),
            invoice.periodEnd().atZone(zone).toLocalDate(),
            change.description());
  }
}
