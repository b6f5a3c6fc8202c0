package io.streamspace.billing.analytics;

import io.streamspace.billing.catalog.BillingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * When a plan's fee was charged: the billing mode is one global config key, and only {@code
 * subscription} and {@code hybrid} charge a plan fee ({@code usage} bills usage alone, the plan
 * only sets limits: {@code invoicing/PeriodCharges}). The mode in effect at an instant is read
 * from the audit trail's {@code config.changed} entries that changed {@code billingMode} (each
 * holds the mode before and after, defaults merged in, at the instant it was saved): before the
 * first such change the mode it changed from, between two changes the one saved by the earlier,
 * and after the last (or always, with none recorded) the mode of the config in effect now.
 */
public final class PlanFeeModes {

  /** A change of the billing mode as the audit trail recorded it. */
  public record Change(Instant at, BillingMode was, BillingMode is) {}

  /**
   * A span in which a plan fee was charged, {@code from} inclusive and {@code to} exclusive; null
   * for no start (always before) and no end (still charged).
   */
  public record Span(Instant from, Instant to) {}

  // the platform-wide chain ('') read by its key; a few entries (config changes, platform ones)
  private static final String CHANGES =
      """
      SELECT occurred_at, before ->> 'billingMode' AS was, after ->> 'billingMode' AS is
      FROM billing_audit_entries
      WHERE chain = '' AND kind = 'config.changed' AND after ->> 'billingMode' IS NOT NULL
      ORDER BY chain_seq""";

  private PlanFeeModes() {}

  /** Whether the mode charges a plan's fee: subscription and hybrid do, usage does not. */
  public static boolean chargesPlanFee(BillingMode mode) {
    return mode == BillingMode.SUBSCRIPTION || mode == BillingMode.HYBRID;
  }

  /** The recorded changes of the billing mode, oldest first. */
  public static List<Change> recorded(Connection connection) throws SQLException {
    List<Change> changes = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(CHANGES);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Optional<BillingMode> was = mode(rs.getString("was"));
        Optional<BillingMode> is = mode(rs.getString("is"));
        if (was.isPresent() && is.isPresent()) {
          changes.add(new Change(rs.getTimestamp("occurred_at").toInstant(), was.get(), is.get()));
        }
      }
    }
    return changes;
  }

  /**
   * The spans in which a plan fee was charged, in order and apart, from the changes (oldest
   * first) and the mode now (in effect after the last change).
   */
  public static List<Span> charged(List<Change> changes, BillingMode now) {
    List<Span> spans = new ArrayList<>();
    boolean charging = chargesPlanFee(changes.isEmpty() ? now : changes.get(0).was());
    Instant from = null;
    for (int i = 0; i < changes.size(); i++) {
      boolean next = chargesPlanFee(i == changes.size() - 1 ? now : changes.get(i).is());
      Instant at = changes.get(i).at();
      if (charging && !next) {
        spans.add(new Span(from, at));
      } else if (!charging && next) {
        from = at;
      }
      charging = next;
    }
    if (charging) {
      spans.add(new Span(from, null));
    }
    return spans;
  }

  private static Optional<BillingMode> mode(String configName) {
    if (configName == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(BillingMode.valueOf(configName.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // a value the config never accepted: not a mode
    }
  }
}
