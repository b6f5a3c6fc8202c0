package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The prepaid balances and their entries ({@code billing_prepaid_balances}, {@code
 * billing_prepaid_entries}, V65). Every change of a balance goes through {@link #post}, which
 * writes the entries, the balances they leave and their audit entries in the caller's
 * transaction, so a balance is always the sum of its entries' amounts. An entry that takes money
 * from a balance has it checked against its organization's auto top-up rule in the same
 * transaction ({@link TopUpChecks}).
 *
 * <p>Concurrency: {@link #post} locks the balance rows it changes ({@code FOR UPDATE}, in
 * organization and currency order, so two posts never deadlock) before it reads them. An
 * invoice's finalization posts after it has locked the accounts and their credits: balances are
 * locked after credits and before the invoice number counter.
 */
public final class PrepaidLedger {

  /** What {@link #post} did with one entry it was given. */
  public record Posted(
      String orgId,
      Currency currency,
      LedgerEntry entry,
      boolean fresh,
      BigDecimal balance,
      BigDecimal reserved) {

    /** The balance as the post left it, with its entry. */
    public BalanceChange change() {
      return new BalanceChange(
          orgId,
          currency.getCurrencyCode(),
          Money.shown(balance, currency),
          Money.shown(reserved, currency),
          Money.shown(balance.subtract(reserved), currency),
          entry);
    }
  }

  /** The columns {@link #entry} reads, in its order: of entries {@code e}, invoices {@code i}. */
  private static final String ENTRY_COLUMNS =
      """
      e.id, e.org_id, e.currency, e.kind, e.amount, e.balance_after, e.reason, e.actor_type,
      e.actor_id, e.source, e.invoice_id, i.invoice_number, e.created_at""";

  // a first entry of an organization and currency opens its balance at zero
  private static final NamedSql OPEN =
      NamedSql.of(
          """
          INSERT INTO billing_prepaid_balances (org_id, currency, balance, updated_at)
          SELECT DISTINCT ON (org_id, currency) org_id, currency, 0, at
          FROM unnest(:org_id::text[], :currency::text[], :at::text[]::timestamptz[])
               AS t(org_id, currency, at)
          ORDER BY org_id, currency, at
          ON CONFLICT DO NOTHING""");

  private static final NamedSql LOCK =
      NamedSql.of(
          """
          SELECT b.org_id, b.currency, b.balance, b.reserved
          FROM (SELECT DISTINCT * FROM unnest(:org_id::text[], :currency::text[])) AS w(org_id,
                                                                                     currency)
          JOIN billing_prepaid_balances b ON b.org_id = w.org_id AND b.currency = w.currency
          ORDER BY b.org_id, b.currency
          FOR UPDATE OF b""");

  private static final NamedSql POSTED =
      NamedSql.of(
          """
          SELECT %s FROM billing_prepaid_entries e
          LEFT JOIN billing_invoices i ON i.id = e.invoice_id
          WHERE e.source = ANY(:source::text[])"""
              .formatted(ENTRY_COLUMNS));

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_prepaid_entries (org_id, currency, kind, amount, balance_after,
              reason, actor_type, actor_id, source, invoice_id, created_at)
          SELECT org_id, currency, kind, amount, balance_after, reason, actor_type, actor_id,
                 source, invoice_id, created_at
          FROM unnest(:org_id::text[], :currency::text[], :kind::text[],
                      :amount::text[]::numeric[], :balance_after::text[]::numeric[],
                      :reason::text[], :actor_type::text[], :actor_id::text[], :source::text[],
                      :invoice_id::text[]::bigint[], :created_at::text[]::timestamptz[])
               WITH ORDINALITY AS t(org_id, currency, kind, amount, balance_after, reason,
                                    actor_type, actor_id, source, invoice_id, created_at, n)
          ORDER BY n
          RETURNING id, source""");

  // relative, under the row lock: the balance row's CHECK refuses one below zero
  private static final NamedSql MOVE =
      NamedSql.of(
          """
          UPDATE billing_prepaid_balances b
          SET balance = b.balance + u.amount, updated_at = u.at
          FROM (SELECT org_id, currency, sum(amount) AS amount, max(at) AS at
                FROM unnest(:org_id::text[], :currency::text[], :amount::text[]::numeric[],
                            :at::text[]::timestamptz[]) AS t(org_id, currency, amount, at)
                GROUP BY org_id, currency) u
          WHERE b.org_id = u.org_id AND b.currency = u.currency""");

  private static final NamedSql BALANCE =
      NamedSql.of(
          """
          SELECT balance, reserved FROM billing_prepaid_balances
          WHERE org_id = :org_id AND currency = :currency""");

  // the balance and what burns took of it for a period's usage, in one statement
  private static final NamedSql PERIOD =
      NamedSql.of(
          """
          SELECT b.balance,
                 (SELECT coalesce(sum(u.amount), 0) FROM billing_prepaid_burns u
                  WHERE u.org_id = b.org_id AND u.currency = b.currency
                    AND u.period_start = :period_start AND u.settled_by IS NULL),
                 (SELECT coalesce(sum(u.amount), 0) FROM billing_prepaid_burns u
                  WHERE u.org_id = b.org_id AND u.currency = b.currency
                    AND u.period_start = :previous_start AND u.settled_by IS NULL)
          FROM billing_prepaid_balances b WHERE b.org_id = :org_id AND b.currency = :currency""");

  // newest first, by billing_prepaid_entries_statement
  private static final NamedSql PAGE =
      NamedSql.of(
          """
          SELECT %s FROM billing_prepaid_entries e
          LEFT JOIN billing_invoices i ON i.id = e.invoice_id
          WHERE e.org_id = :org_id AND e.currency = :currency
          ORDER BY e.id DESC LIMIT :limit OFFSET :offset"""
              .formatted(ENTRY_COLUMNS));

  /** A balance and a page of its entries, read at one instant. */
  public record Statement(Balance balance, List<LedgerEntry> entries) {}

  private final DataSource dataSource;

  public PrepaidLedger(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** {@link #post} of one entry in a transaction of its own. */
  public Posted post(NewEntry entry) throws SQLException {
    return Transactions.inTransaction(dataSource, c -> post(c, List.of(entry)).get(0));
  }

  /**
   * Posts the entries in the caller's transaction, in their order: each one's amount added to its
   * balance (opened at zero by its first entry), the entry stored with the balance it leaves,
   * and its audit entry ({@code balance.<kind>}) written. An entry whose source was posted before
   * is not posted again: its first posting is answered ({@code fresh} false). Answers each
   * entry's posting, in their order, with its balance as the whole post left it.
   *
   * @throws SQLException a balance would go below zero (the schema's CHECK: no overdraft), an
   *     organization without an account, or two entries of one source among {@code entries}
   */
  public static List<Posted> post(Connection connection, List<NewEntry> entries)
      throws SQLException {
    if (entries.isEmpty()) {
      return List.of();
    }
    OPEN.bind("org_id", SqlArrays.array(connection, entries, NewEntry::orgId))
        .bind("currency", SqlArrays.array(connection, entries, NewEntry::currency))
        .bind("at", SqlArrays.array(connection, entries, NewEntry::at))
        .update(connection);
    Map<String, BigDecimal[]> balances = lock(connection, entries);
    Map<String, Posted> before = posted(connection, entries);
    List<NewEntry> fresh = new ArrayList<>();
    List<BigDecimal> left = new ArrayList<>(); // the balance each fresh entry leaves
    for (NewEntry entry : entries) {
      if (!before.containsKey(entry.source())) {
        BigDecimal[] balance = balances.get(entry.balanceKey());
        balance[0] = balance[0].add(entry.amount());
        fresh.add(entry);
        left.add(balance[0]);
      }
    }
    Map<String, Long> ids = insert(connection, fresh, left);
    if (!fresh.isEmpty()) {
      MOVE.bind("org_id", SqlArrays.array(connection, fresh, NewEntry::orgId))
          .bind("currency", SqlArrays.array(connection, fresh, NewEntry::currency))
          .bind("amount", SqlArrays.array(connection, fresh, NewEntry::amount))
          .bind("at", SqlArrays.array(connection, fresh, NewEntry::at))
          .update(connection);
      lowered(connection, fresh);
    }
    List<Posted> posted = new ArrayList<>(entries.size());
    List<AuditEntry> audit = new ArrayList<>(fresh.size());
    int next = 0;
    for (NewEntry entry : entries) {
      BigDecimal[] balance = balances.get(entry.balanceKey());
      Posted first = before.get(entry.source());
      if (first != null) {
        posted.add(
            new Posted(
                first.orgId(), first.currency(), first.entry(), false, balance[0], balance[1]));
        continue;
      }
      BigDecimal after = left.get(next++);
      LedgerEntry stored = stored(entry, ids.get(entry.source()), after);
      posted.add(new Posted(entry.orgId(), entry.currency(), stored, true, balance[0], balance[1]));
      audit.add(
          new AuditEntry(
              entry.at(),
              entry.cause(),
              entry.orgId(),
              AuditKinds.BALANCE_PREFIX + entry.kind().value(),
              "prepaid_entry:" + stored.id(),
              Map.of(
                  "currency",
                  entry.currency().getCurrencyCode(),
                  "balance",
                  Money.shown(after.subtract(entry.amount()), entry.currency())),
              stored));
    }
    AuditTrail.recordAll(connection, audit);
    return posted;
  }

  /**
   * The organizations whose balances entries took money from are checked against their auto
   * top-up rules at once ({@link TopUpChecks#lowered}), in the posting's transaction.
   */
  private static void lowered(Connection connection, List<NewEntry> fresh) throws SQLException {
    List<NewEntry> out = fresh.stream().filter(e -> e.amount().signum() < 0).toList();
    if (!out.isEmpty()) {
      TopUpChecks.lowered(
          connection,
          out.stream().map(NewEntry::orgId).distinct().toList(),
          out.stream().map(NewEntry::at).max(Instant::compareTo).orElseThrow());
    }
  }

  /**
   * The organization's balance in the currency, its row locked for the caller's transaction (a
   * change that must read what is available before it posts); zero when it never held one.
   */
  public static Balance locked(Connection connection, String orgId, Currency currency)
      throws SQLException {
    try (PreparedStatement statement =
            LOCK.bind("org_id", SqlArrays.array(connection, List.of(orgId), id -> id))
                .bind("currency", SqlArrays.array(connection, List.of(currency), c -> c))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? new Balance(
              currency,
              Money.shown(rs.getBigDecimal(3), currency),
              Money.shown(rs.getBigDecimal(4), currency))
          : new Balance(currency, Money.zero(currency), Money.zero(currency));
    }
  }

  /** The balances of the entries, locked, by key: {balance, reserved}, each changed in place. */
  private static Map<String, BigDecimal[]> lock(Connection connection, List<NewEntry> entries)
      throws SQLException {
    return lock(
        connection,
        SqlArrays.array(connection, entries, NewEntry::orgId),
        SqlArrays.array(connection, entries, NewEntry::currency));
  }

  /**
   * The balances of these organizations in these currencies (parallel arrays), locked for the
   * caller's transaction in the order every writer locks them, by {@code "<org> <currency>"}:
   * {balance, reserved}; none for one never held.
   */
  static Map<String, BigDecimal[]> lock(Connection connection, Array orgIds, Array currencies)
      throws SQLException {
    Map<String, BigDecimal[]> balances = new HashMap<>();
    try (PreparedStatement statement =
            LOCK.bind("org_id", orgIds).bind("currency", currencies).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        balances.put(
            rs.getString(1) + ' ' + rs.getString(2).trim(),
            new BigDecimal[] {rs.getBigDecimal(3), rs.getBigDecimal(4)});
      }
    }
    return balances;
  }

  /** The entries posted before of the sources of {@code entries}, by source. */
  private static Map<String, Posted> posted(Connection connection, List<NewEntry> entries)
      throws SQLException {
    Map<String, Posted> posted = new HashMap<>();
    try (PreparedStatement statement =
            POSTED
                .bind("source", SqlArrays.array(connection, entries, NewEntry::source))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(3).trim());
        posted.put(
            rs.getString(10),
            new Posted(rs.getString(2), currency, entry(rs, currency), false, null, null));
      }
    }
    return posted;
  }

  /** Inserts the entries with the balances they leave; answers their ids by source. */
  private static Map<String, Long> insert(
      Connection connection, List<NewEntry> entries, List<BigDecimal> after) throws SQLException {
    Map<String, Long> ids = new HashMap<>();
    if (entries.isEmpty()) {
      return ids;
    }
    try (PreparedStatement statement =
            INSERT
                .bind("org_id", SqlArrays.array(connection, entries, NewEntry::orgId))
                .bind("currency", SqlArrays.array(connection, entries, NewEntry::currency))
                .bind("kind", SqlArrays.array(connection, entries, e -> e.kind().value()))
                .bind("amount", SqlArrays.array(connection, entries, NewEntry::amount))
                .bind("balance_after", SqlArrays.array(connection, after, a -> a))
                .bind("reason", SqlArrays.array(connection, entries, NewEntry::reason))
                .bind(
                    "actor_type",
                    SqlArrays.array(connection, entries, e -> e.cause().actor().type().value()))
                .bind("actor_id", SqlArrays.array(connection, entries, e -> e.cause().actor().id()))
                .bind("source", SqlArrays.array(connection, entries, NewEntry::source))
                .bind("invoice_id", SqlArrays.array(connection, entries, NewEntry::invoiceId))
                .bind("created_at", SqlArrays.array(connection, entries, NewEntry::at))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        ids.put(rs.getString(2), rs.getLong(1));
      }
    }
    return ids;
  }

  private static LedgerEntry stored(NewEntry entry, long id, BigDecimal balanceAfter) {
    Currency currency = entry.currency();
    return new LedgerEntry(
        id,
        entry.kind().value(),
        Money.shown(entry.amount(), currency),
        Money.shown(balanceAfter, currency),
        entry.reason(),
        entry.cause().actor().type().value(),
        entry.cause().actor().id(),
        entry.source(),
        entry.invoiceId(),
        null,
        entry.at());
  }

  /** The organization's balance in the currency; zero when it never held one. */
  public Balance balance(String orgId, Currency currency) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return balance(connection, orgId, currency);
    }
  }

  /** The organization's balance in the currency; empty when it never held one. */
  public Optional<Balance> held(String orgId, Currency currency) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return held(connection, orgId, currency);
    }
  }

  /**
   * A balance as the ledger holds it, and what a period's burns not settled yet took of it.
   *
   * @param balance the ledger's balance (reservations not taken off)
   * @param burned what the burns of the period's usage not settled by an invoice took, in all
   * @param burnedBefore the same of the period before it
   */
  public record PeriodBalance(BigDecimal balance, BigDecimal burned, BigDecimal burnedBefore) {}

  /**
   * The organization's balance in the currency and what the burns not settled yet of the period
   * that starts at {@code periodStart}, and of the one at {@code previousStart}, took of it, read
   * together; empty when it never held one.
   */
  public Optional<PeriodBalance> inPeriod(
      String orgId, Currency currency, Instant periodStart, Instant previousStart)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            PERIOD
                .bind("org_id", orgId)
                .bind("currency", currency.getCurrencyCode())
                .bind("period_start", periodStart)
                .bind("previous_start", previousStart)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? Optional.of(
              new PeriodBalance(
                  Money.shown(rs.getBigDecimal(1), currency),
                  Money.shown(rs.getBigDecimal(2), currency),
                  Money.shown(rs.getBigDecimal(3), currency)))
          : Optional.empty();
    }
  }

  /**
   * The balance and a page of its entries, newest first ({@code limit} from {@code offset}), in
   * one snapshot: the page's newest entry left the balance shown.
   */
  public Statement statement(String orgId, Currency currency, int limit, int offset)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        Balance balance = balance(connection, orgId, currency);
        List<LedgerEntry> entries = new ArrayList<>();
        try (PreparedStatement statement =
                PAGE.bind("org_id", orgId)
                    .bind("currency", currency.getCurrencyCode())
                    .bind("limit", limit)
                    .bind("offset", offset)
                    .prepare(connection);
            ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            entries.add(entry(rs, currency));
          }
        }
        return new Statement(balance, entries);
      } finally {
        connection.rollback(); // read only
        connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
    }
  }

  /** The organization's balance in the currency, read on the caller's connection; zero for none. */
  public static Balance balance(Connection connection, String orgId, Currency currency)
      throws SQLException {
    return held(connection, orgId, currency)
        .orElseGet(() -> new Balance(currency, Money.zero(currency), Money.zero(currency)));
  }

  private static Optional<Balance> held(Connection connection, String orgId, Currency currency)
      throws SQLException {
    try (PreparedStatement statement =
            BALANCE
                .bind("org_id", orgId)
                .bind("currency", currency.getCurrencyCode())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? Optional.of(
              new Balance(
                  currency,
                  Money.shown(rs.getBigDecimal(1), currency),
                  Money.shown(rs.getBigDecimal(2), currency)))
          : Optional.empty();
    }
  }

  /** An entry from a row of {@link #ENTRY_COLUMNS}. */
  private static LedgerEntry entry(ResultSet rs, Currency currency) throws SQLException {
    long id = rs.getLong(11);
    Long invoiceId = rs.wasNull() ? null : id;
    return new LedgerEntry(
        rs.getLong(1),
        rs.getString(4),
        Money.shown(rs.getBigDecimal(5), currency),
        Money.shown(rs.getBigDecimal(6), currency),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10),
        invoiceId,
        rs.getString(12),
        rs.getTimestamp(13).toInstant());
  }
}
