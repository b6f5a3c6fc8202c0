package io.streamspace.billing.corrections;

import com.fasterxml.jackson.core.type.TypeReference;
import io.streamspace.billing.corrections.CorrectionView.CorrectionLine;
import io.streamspace.billing.corrections.CorrectionView.CreditNote;
import io.streamspace.billing.corrections.CorrectionView.InvoiceEffect;
import io.streamspace.billing.corrections.CorrectionView.Item;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Sql;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads corrections back as the routes show them ({@link CorrectionView}). */
final class CorrectionReads {

  private static final TypeReference<List<Map<String, Object>>> LINES = new TypeReference<>() {};

  private static final NamedSql CORRECTION =
      NamedSql.of(
          "SELECT reason, step, created_at, applied_at FROM billing_corrections WHERE id = :id");

  private static final NamedSql EFFECTS =
      NamedSql.of(
          """
          SELECT e.org_id, e.invoice_id, e.invoice_number, e.period_start, e.period_end,
                 e.currency, e.finalized, e.before, e.after, e.lines::text,
                 c.amount, c.lines::text, c.credit_note_id, c.issued_at IS NOT NULL, c.carried,
                 c.credit_id
          FROM billing_correction_effects e
          LEFT JOIN billing_correction_credits c
            ON c.correction_id = e.correction_id AND c.invoice_id = e.invoice_id
          WHERE e.correction_id = :id ORDER BY e.effect_no""");

  private static final NamedSql CHARGES =
      NamedSql.of(
          """
          SELECT corrected_invoice_id, id, description, amount, invoice_id
          FROM billing_correction_charges WHERE correction_id = :id ORDER BY id""");

  // an organization's corrections, newest first
  private static final NamedSql OF_ORG =
      NamedSql.of(
          """
          SELECT DISTINCT correction_id FROM billing_correction_entries WHERE org_id = :org
          ORDER BY correction_id DESC LIMIT :limit""");

  private CorrectionReads() {}

  /** The correction, every organization's part of it; {@code status} overrides its own. */
  static CorrectionView view(Connection connection, long id, String status) throws SQLException {
    String reason;
    String step;
    java.time.Instant created;
    java.time.Instant applied;
    try (PreparedStatement statement = CORRECTION.bind("id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      reason = rs.getString(1);
      step = rs.getString(2);
      created = Sql.instant(rs.getTimestamp(3));
      applied = Sql.instant(rs.getTimestamp(4));
    }
    List<Item> items = new ArrayList<>();
    for (Entry entry : CorrectionJournal.entries(connection, id)) {
      items.add(item(entry));
    }
    return new CorrectionView(
        "preview".equals(status) ? null : id,
        reason,
        status != null ? status : "recorded".equals(step) ? "recorded" : "applied",
        created,
        applied,
        items,
        effects(connection, id));
  }

  /** The organization's latest corrections, as it sees them. */
  static List<CorrectionView> ofOrganization(Connection connection, String orgId, int limit)
      throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement statement =
            OF_ORG.bind("org", orgId).bind("limit", limit).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    List<CorrectionView> views = new ArrayList<>();
    for (long id : ids) {
      views.add(view(connection, id, null).of(orgId));
    }
    return views;
  }

  private static List<InvoiceEffect> effects(Connection connection, long id) throws SQLException {
    Map<Long, List<CorrectionLine>> charges = new LinkedHashMap<>();
    try (PreparedStatement statement = CHARGES.bind("id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        long billing = rs.getLong(5);
        charges
            .computeIfAbsent(rs.getLong(1), i -> new ArrayList<>())
            .add(
                new CorrectionLine(
                    rs.getLong(2),
                    rs.getString(3),
                    rs.getBigDecimal(4),
                    rs.wasNull() ? null : billing));
      }
    }
    List<InvoiceEffect> effects = new ArrayList<>();
    try (PreparedStatement statement = EFFECTS.bind("id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        long invoice = rs.getLong(2);
        Long invoiceId = rs.wasNull() ? null : invoice;
        Currency currency = Currency.getInstance(rs.getString(6).trim());
        BigDecimal before = Money.shown(rs.getBigDecimal(8), currency);
        BigDecimal after = Money.shown(rs.getBigDecimal(9), currency);
        CreditNote credit = credit(rs, currency);
        List<CorrectionLine> lines =
            invoiceId == null ? List.of() : charges.getOrDefault(invoiceId, List.of());
        effects.add(
            new InvoiceEffect(
                rs.getString(1),
                invoiceId,
                rs.getString(3),
                Sql.instant(rs.getTimestamp(4)),
                Sql.instant(rs.getTimestamp(5)),
                currency.getCurrencyCode(),
                outcome(rs.getBoolean(7), before, after, credit, lines),
                before,
                after,
                after.subtract(before),
                lines(rs.getString(10)),
                credit,
                lines));
      }
    }
    return effects;
  }

  private static CreditNote credit(ResultSet rs, Currency currency) throws SQLException {
    BigDecimal amount = rs.getBigDecimal(11);
    if (amount == null) {
      return null;
    }
    long note = rs.getLong(13);
    Long noteId = rs.wasNull() ? null : note;
    boolean issued = rs.getBoolean(14);
    long credit = rs.getLong(16);
    return new CreditNote(
        Money.shown(amount, currency),
        JsonMapper.decimals(rs.getString(12)),
        noteId,
        issued ? "issued" : "pending",
        Money.shown(rs.getBigDecimal(15), currency),
        rs.wasNull() ? null : credit);
  }

  private static String outcome(
      boolean finalized,
      BigDecimal before,
      BigDecimal after,
      CreditNote credit,
      List<CorrectionLine> charged) {
    if (!finalized) {
      return before.compareTo(after) == 0 ? "no_change" : "on_invoice";
    }
    if (credit != null && !charged.isEmpty()) {
      return "credit_note_and_correction_line";
    }
    return credit != null ? "credit_note" : charged.isEmpty() ? "no_change" : "correction_line";
  }

  private static List<Map<String, Object>> lines(String json) {
    try {
      List<Map<String, Object>> lines = JsonMapper.MAPPER.readValue(json, LINES);
      lines.forEach(
          l -> l.put("difference", decimal(l.get("after")).subtract(decimal(l.get("before")))));
      return lines;
    } catch (IOException e) {
      throw new IllegalStateException("effect lines the plugin wrote read back", e);
    }
  }

  private static BigDecimal decimal(Object number) {
    return new BigDecimal(String.valueOf(number));
  }

  private static Item item(Entry entry) {
    if (entry instanceof Entry.Cancel c) {
      return new Item(
          c.item(),
          "cancel",
          c.orgId(),
          c.eventId(),
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null);
    }
    if (entry instanceof Entry.AmendQuantity q) {
      return new Item(
          q.item(),
          "amend",
          q.orgId(),
          q.eventId(),
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          q.quantity(),
          null,
          null);
    }
    if (entry instanceof Entry.AmendSizes a) {
      return new Item(
          a.item(),
          "amend",
          a.orgId(),
          null,
          a.sessionId(),
          a.from(),
          a.to(),
          a.cpuCores(),
          a.memoryGb(),
          a.storageGb(),
          a.resources().isEmpty() ? null : a.resources(),
          null,
          null,
          null);
    }
    BackfilledEvent event = ((Entry.Backfill) entry).event();
    return new Item(
        entry.item(),
        "backfill",
        entry.orgId(),
        event.id(),
        event.sessionId(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        event.type(),
        event.occurredAt());
  }
}
