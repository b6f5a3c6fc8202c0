package io.streamspace.billing.corrections;

import io.streamspace.billing.json.JsonMapper;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/** An {@link Entry} as a row of {@code billing_correction_entries} (V85), and back. */
record EntryRow(
    int entryNo,
    int itemNo,
    String kind,
    String orgId,
    String eventId,
    String sessionId,
    Instant from,
    Instant to,
    BigDecimal cpuCores,
    BigDecimal memoryGb,
    BigDecimal storageGb,
    String resources,
    BigDecimal quantity,
    String event) {

  static EntryRow of(int entryNo, Entry entry) {
    if (entry instanceof Entry.Cancel c) {
      return new EntryRow(
          entryNo,
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
          null);
    }
    if (entry instanceof Entry.AmendSizes a) {
      return new EntryRow(
          entryNo,
          a.item(),
          "amend_sizes",
          a.orgId(),
          null,
          a.sessionId(),
          a.from(),
          a.to(),
          a.cpuCores(),
          a.memoryGb(),
          a.storageGb(),
          a.resources().isEmpty() ? null : JsonMapper.write(a.resources()),
          null,
          null);
    }
    if (entry instanceof Entry.AmendQuantity q) {
      return new EntryRow(
          entryNo,
          q.item(),
          "amend_quantity",
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
          null);
    }
    Entry.Backfill b = (Entry.Backfill) entry;
    return new EntryRow(
        entryNo,
        b.item(),
        "backfill",
        b.orgId(),
        b.event().id(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        b.event().json());
  }

  /** The entry of a row read with CorrectionJournal's columns. */
  static Entry read(ResultSet rs) throws SQLException {
    int item = rs.getInt(2);
    String org = rs.getString(4);
    return switch (rs.getString(3)) {
      case "cancel" -> new Entry.Cancel(item, org, rs.getString(5));
      case "amend_quantity" ->
          new Entry.AmendQuantity(item, org, rs.getString(5), rs.getBigDecimal(13));
      case "amend_sizes" -> {
        String resources = rs.getString(12);
        yield new Entry.AmendSizes(
            item,
            org,
            rs.getString(6),
            Sql.instant(rs.getTimestamp(7)),
            Sql.instant(rs.getTimestamp(8)),
            rs.getBigDecimal(9),
            rs.getBigDecimal(10),
            rs.getBigDecimal(11),
            resources == null ? Map.of() : JsonMapper.decimals(resources));
      }
      case "backfill" -> {
        try {
          yield new Entry.Backfill(
              item, org, BackfilledEvent.parse(JsonMapper.MAPPER.readTree(rs.getString(14)), ""));
        } catch (CorrectionRefused | java.io.IOException e) {
          throw new IllegalStateException("a backfilled event the journal kept reads back", e);
        }
      }
      default -> throw new IllegalStateException("an entry of kind " + rs.getString(3));
    };
  }
}
