package io.streamspace.billing.account;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Keeps accounts' currencies and plans still while the jobs price with them. calculate-usage and
 * generate-invoices read an account's currency without locking its row (they cover every
 * account); a user.created that arrives after a session event opened the account on the
 * defaults changes that currency ({@code MeteringStore}). Without this lock the change could
 * commit while a run prices the account in the old currency, and each would miss the other.
 *
 * <p>A transaction-level advisory lock: the jobs hold it shared (they do not wait for each
 * other), the adoption of a user.created exclusive, and it is released at commit or rollback.
 * Each takes it before any row lock of its transaction, so it never closes a cycle with them.
 */
public final class AccountTermsLock {

  /** The lock's key, the plugin's own: "bterms" in ASCII. */
  public static final long KEY = 0x6274_6572_6d73L;

  private static final NamedSql SHARE = NamedSql.of("SELECT pg_advisory_xact_lock_shared(:key)");

  private AccountTermsLock() {}

  /** Waits until no account's terms are being changed; held until the transaction ends. */
  public static void share(Connection connection) throws SQLException {
    try (PreparedStatement statement = SHARE.bind("key", KEY).prepare(connection)) {
      statement.executeQuery().close();
    }
  }
}
