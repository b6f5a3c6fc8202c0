package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Currency;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Auto top-up rules as stored ({@code billing_top_up_rules}, V67), one per organization: set with
 * the Owner's consent and removed, each in the audit trail ({@code top_up_rule.set}, {@code
 * top_up_rule.removed}: who, when, the terms before and after), and the figures the Owner reads
 * with a rule: what auto top-ups charged in the month, since when the balance is below the
 * threshold, and why charging is halted if it is.
 */
public final class TopUpRules {

  /** A rule, or none, with the state of its charges. */
  public record Status(
      Optional<TopUpRule> rule,
      BigDecimal chargedThisMonth,
      Instant belowThresholdSince,
      String halted) {}

  // new terms (a higher cap, say) are charged again at once: what halted the old ones is lifted
  private static final NamedSql PUT =
      NamedSql.of(
          """
          INSERT INTO billing_top_up_rules (org_id, currency, threshold, target, amount,
              max_per_month, consented_by, consented_at, terms)
          VALUES (:org_id, :currency, :threshold, :target, :amount, :max_per_month,
              :consented_by, :consented_at, :terms)
          ON CONFLICT (org_id) DO UPDATE SET currency = excluded.currency,
              threshold = excluded.threshold, target = excluded.target, amount = excluded.amount,
              max_per_month = excluded.max_per_month, consented_by = excluded.consented_by,
              consented_at = excluded.consented_at, terms = excluded.terms,
              halted = NULL, halted_month = NULL""");

  private static final NamedSql READ =
      NamedSql.of(
          """
          SELECT org_id, currency, threshold, target, amount, max_per_month, consented_by,
                 consented_at, terms, crossed_at, halted
          FROM billing_top_up_rules WHERE org_id = :org_id""");

  // the charges never tried (a retry waiting for its day) go with the rule; one tried already may
  // have reached Stripe and is tried again under its key until Stripe answers
  private static final NamedSql DELETE =
      NamedSql.of(
          """
          WITH removed AS (DELETE FROM billing_top_up_rules WHERE org_id = :org_id
                           RETURNING org_id)
          UPDATE billing_top_up_charges t
          SET state = 'cancelled', reason = 'rule_removed', updated_at = :now
          FROM removed WHERE t.org_id = removed.org_id AND t.state = 'pending' AND t.tries = 0""");

  private static final NamedSql CHARGED =
      NamedSql.of(
          """
          SELECT coalesce(sum(amount), 0) FROM billing_top_up_charges
          WHERE org_id = :org_id AND month = :month AND state IN ('pending', 'sent', 'succeeded')
            AND id <> :except""");

  private final DataSource dataSource;

  public TopUpRules(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Stores the rule (replacing the organization's, and lifting what halted its charges), with
   * its {@code top_up_rule.set} entry, and checks the balance against it at once: below the new
   * threshold, a charge is queued.
   */
  public void put(TopUpRule rule, Cause cause) throws SQLException {
    Transactions.inTransaction(
        dataSource,
        c -> {
          Optional<TopUpRule> before = read(c, rule.orgId()).map(Read::rule);
          PUT.bind("org_id", rule.orgId())
              .bind("currency", rule.currency().getCurrencyCode())
              .bind("threshold", rule.threshold())
              .bind("target", rule.target())
              .bind("amount", rule.amount())
              .bind("max_per_month", rule.maxPerMonth())
              .bind("consented_by", rule.consentedBy())
              .bind("consented_at", rule.consentedAt())
              .bind("terms", rule.terms())
              .update(c);
          audit(
              c, AuditKinds.TOP_UP_RULE_SET, rule.orgId(), before, rule, rule.consentedAt(), cause);
          TopUpChecks.ruleSet(c, rule.orgId(), rule.consentedAt());
          return null;
        });
  }

  /** Removes the organization's rule, if any, with its {@code top_up_rule.removed} entry. */
  public boolean remove(String orgId, Instant now, Cause cause) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        c -> {
          Optional<TopUpRule> before = read(c, orgId).map(Read::rule);
          if (before.isEmpty()) {
            return false;
          }
          DELETE.bind("org_id", orgId).bind("now", now).update(c);
          audit(c, AuditKinds.TOP_UP_RULE_REMOVED, orgId, before, null, now, cause);
          return true;
        });
  }

  /** The organization's rule, if any, and what it charged in {@code month}. */
  public Status status(String orgId, Currency currency, LocalDate month) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Optional<Read> read = read(c, orgId);
      return new Status(
          read.map(Read::rule),
          Money.shown(chargedIn(c, orgId, month, 0), currency),
          read.map(Read::crossedAt).orElse(null),
          read.map(Read::halted).orElse(null));
    }
  }

  /**
   * What auto top-ups of the organization count against {@code month}'s cap: those succeeded,
   * sent, or pending with an amount chosen, but the charge {@code except} (0 for none).
   */
  public static BigDecimal chargedIn(Connection c, String orgId, LocalDate month, long except)
      throws SQLException {
    try (PreparedStatement statement =
            CHARGED.bind("org_id", orgId).bind("month", month).bind("except", except).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  /** The organization's rule as stored now, if any, on the caller's connection. */
  public static Optional<TopUpRule> find(Connection c, String orgId) throws SQLException {
    return read(c, orgId).map(Read::rule);
  }

  private record Read(TopUpRule rule, Instant crossedAt, String halted) {}

  private static Optional<Read> read(Connection c, String orgId) throws SQLException {
    try (PreparedStatement statement = READ.bind("org_id", orgId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      Currency currency = Currency.getInstance(rs.getString(2).trim());
      TopUpRule rule =
          new TopUpRule(
              rs.getString(1),
              currency,
              Money.shown(rs.getBigDecimal(3), currency),
              shown(rs.getBigDecimal(4), currency),
              shown(rs.getBigDecimal(5), currency),
              Money.shown(rs.getBigDecimal(6), currency),
              rs.getString(7),
              Sql.instant(rs.getTimestamp(8)),
              rs.getString(9));
      return Optional.of(new Read(rule, Sql.instant(rs.getTimestamp(10)), rs.getString(11)));
    }
  }

  private static BigDecimal shown(BigDecimal amount, Currency currency) {
    return amount == null ? null : Money.shown(amount, currency);
  }

  private static void audit(
      Connection c,
      String kind,
      String orgId,
      Optional<TopUpRule> before,
      TopUpRule after,
      Instant now,
      Cause cause)
      throws SQLException {
    AuditTrail.record(
        c,
        new AuditEntry(
            now, cause, orgId, kind, "top_up_rule:" + orgId, before.orElse(null), after));
  }
}
