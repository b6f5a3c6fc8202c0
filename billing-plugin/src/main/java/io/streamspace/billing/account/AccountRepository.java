package io.streamspace.billing.account;

import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.planversions.VersionLimits;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads billing accounts. (They are opened by the metering write-behind, in batches.) {@code
 * user_id} in the billing tables is the organization's id (the column kept its name from when
 * accounts were users'); the code calls it {@code orgId}.
 */
public final class AccountRepository {

  private static final NamedSql FIND =
      NamedSql.of(
          """
          SELECT a.email, a.currency, s.plan_id, a.status, a.personal, s.plan_version
          FROM billing_accounts a
          JOIN billing_subscriptions s ON s.user_id = a.user_id AND s.ended_at IS NULL
          WHERE a.user_id = :user_id
          """);

  private static final NamedSql CURRENCY =
      NamedSql.of("SELECT currency FROM billing_accounts WHERE user_id = :user_id");

  private static final NamedSql CLOSED_AT =
      NamedSql.of("SELECT closed_at FROM billing_accounts WHERE user_id = :user_id");

  private final DataSource dataSource;

  public AccountRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Optional<Account> find(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = FIND.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? Optional.of(
              new Account(
                  orgId,
                  rs.getString(1),
                  Currency.getInstance(rs.getString(2)),
                  rs.getString(3),
                  rs.getInt(6),
                  rs.getString(4),
                  rs.getBoolean(5)))
          : Optional.empty();
    }
  }

  /**
   * The limits the account is held to, read now: those of the version of its plan its plan term
   * is on ({@link VersionLimits}), as admission and quotas hold it to them.
   */
  public PlanLimits limitsOf(Account account, BillingConfig config) throws SQLException {
    return VersionLimits.read(dataSource, config)
        .of(config, account.planId(), account.planVersion());
  }

  /** When the organization closed (org.deleted); empty while it is open or has no account. */
  public Optional<Instant> closedAt(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return Optional.ofNullable(closedAt(connection, orgId));
    }
  }

  /**
   * As {@link #closedAt(String)}, in the caller's transaction: null while it is open or has no
   * account (an invoice of a closed organization's final period ends there).
   */
  public static Instant closedAt(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement statement = CLOSED_AT.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Sql.instant(rs.getTimestamp(1)) : null;
    }
  }

  /** The account's currency code in the caller's transaction, or null without an account. */
  public static String currencyOf(Connection c, String orgId) throws SQLException {
    try (PreparedStatement statement = CURRENCY.bind("user_id", orgId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
