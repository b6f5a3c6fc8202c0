package io.streamspace.billing.whatif;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.ChargeLine;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.invoicing.InvoiceCalculator.Rerated;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.invoicing.PeriodInvoices;
import io.streamspace.billing.invoicing.Repricing;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A what-if: the recorded usage of a billing period re-rated under other prices, per
 * organization, writing nothing.
 *
 * <p><b>One implementation.</b> It prices with invoicing's own code: {@link
 * InvoiceCalculator#rerate} reads each invoice's inputs with invoicing's statements (the usage a
 * finalized invoice claimed, read again by its claim row; a draft's as its preview reads them)
 * and prices them with the same pure function that prices an invoice when it is finalized, once
 * with the config in effect and once with the what-if's ({@link Repricing}). So with unchanged
 * prices every organization's what-if total equals its invoiced total to the cent.
 *
 * <p><b>Writing nothing.</b> Rather than run finalization itself in a transaction that is always
 * rolled back (which would take the accounts' and drafts' locks a concurrent generate-invoices
 * waits for, advance the claim sequence, and could not re-claim a past period a later claim
 * already covers), the price source is a parameter and the reads are those of a preview: the
 * whole what-if runs in one {@code READ ONLY} transaction at {@code REPEATABLE READ}, so
 * PostgreSQL itself refuses any write, it takes no lock beyond what a plain read takes, and every
 * page reads the same snapshot (a generate-invoices finalizing meanwhile changes nothing it sees).
 *
 * <p><b>Compared: charges before credits.</b> The invoiced total is the invoices' subtotal, what
 * they charge before credits are applied: credits are money the organization holds, not a price,
 * and which credit an invoice would consume under other prices depends on every other invoice
 * that consumed them since.
 *
 * <p><b>Streamed.</b> Organizations are read {@value #PAGE} at a time, in id order (keyset), each
 * page's invoices and inputs read set-based and handed on as they are priced: the memory held is
 * a page's, whatever the number of organizations. An organization is in the period when it was
 * opened before its end and not closed before its start (those generate-invoices drafts); its
 * part of the period no invoice covers yet (the current period, or the rest after an admin's
 * invoice of its first days) is priced as generate-invoices would draft it, from the latest end of
 * its invoices in the period (or the period's start) to the period's end or its closing, and
 * read as a draft's preview is (with the usage of earlier periods rated after their invoice, which
 * that invoice will bill; while an earlier period's draft is still in its grace, its preview
 * counts those records too, as two previews do).
 */
public final class WhatIfRun {

  /** Organizations priced per page: each page costs the statements one chunk of invoices does. */
  static final int PAGE = 500;

  private static final NamedSql ACCOUNTS =
      NamedSql.of(
          """
          SELECT user_id, currency, closed_at FROM billing_accounts
          WHERE user_id > :after AND created_at < :period_end
            AND (closed_at IS NULL OR closed_at > :period_start)
          ORDER BY user_id LIMIT :page""");

  private static final NamedSql ACCOUNT =
      NamedSql.of(
          """
          SELECT user_id, currency, closed_at FROM billing_accounts
          WHERE user_id = :org_id AND created_at < :period_end
            AND (closed_at IS NULL OR closed_at > :period_start)""");

  private static final NamedSql ACCOUNTS_AMONG =
      NamedSql.of(
          """
          SELECT user_id, currency, closed_at FROM billing_accounts
          WHERE user_id = ANY (:org_ids::text[]) AND created_at < :period_end
            AND (closed_at IS NULL OR closed_at > :period_start)
          ORDER BY user_id""");

  /**
   * The organizations a run prices when not all of them (a plan migration's: those on one version
   * of a plan), a page at a time in id order: at most {@code limit} after {@code after}, read in
   * the run's snapshot.
   */
  @FunctionalInterface
  public interface Chosen {
    List<String> page(Connection connection, String after, int limit) throws SQLException;
  }

  /** What a what-if's answer is made of, an organization at a time. */
  @FunctionalInterface
  public interface Sink {
    void account(AccountDelta account) throws Exception;
  }

  private record Account(String orgId, Currency currency, Instant closedAt) {}

  private final DataSource dataSource;
  private final InvoiceCalculator calculator;

  public WhatIfRun(DataSource dataSource, InvoiceCalculator calculator) {
    this.dataSource = dataSource;
    this.calculator = calculator;
  }

  /** Hands each organization of {@code [start, end)} to {@code sink}, in id order. */
  public void run(Instant start, Instant end, Repricing repricing, Sink sink) throws Exception {
    inSnapshot(
        connection -> {
          String after = "";
          List<Account> page;
          do {
            page = accounts(connection, after, start, end);
            for (AccountDelta account : priced(connection, page, start, end, repricing)) {
              sink.account(account);
            }
            after = page.isEmpty() ? after : page.get(page.size() - 1).orgId();
          } while (page.size() == PAGE);
          return null;
        });
  }

  /**
   * As {@link #run(Instant, Instant, Repricing, Sink)}, over the organizations {@code chosen}
   * names only (those of them in the period).
   */
  public void run(Instant start, Instant end, Repricing repricing, Chosen chosen, Sink sink)
      throws Exception {
    inSnapshot(
        connection -> {
          String after = "";
          List<String> ids;
          do {
            ids = chosen.page(connection, after, PAGE);
            List<Account> page =
                ids.isEmpty()
                    ? List.of()
                    : accounts(
                        connection,
                        ACCOUNTS_AMONG
                            .bind("org_ids", SqlArrays.array(connection, ids, id -> id))
                            .bind("period_start", start)
                            .bind("period_end", end));
            for (AccountDelta account : priced(connection, page, start, end, repricing)) {
              sink.account(account);
            }
            after = ids.isEmpty() ? after : ids.get(ids.size() - 1);
          } while (ids.size() == PAGE);
          return null;
        });
  }

  /**
   * One organization's what-if under each of {@code repricings}, in their order, all read from
   * one snapshot, as {@link #run} prices it among the others (its invoices of {@code [start,
   * end)}, and the part none covers yet as a draft): the customer's advisor. Empty when the
   * organization has no account in the period.
   */
  public List<OrgWhatIf> organization(
      String orgId, Instant start, Instant end, List<Repricing> repricings) throws Exception {
    return inSnapshot(
        connection -> {
          List<Account> accounts =
              accounts(
                  connection,
                  ACCOUNT
                      .bind("org_id", orgId)
                      .bind("period_start", start)
                      .bind("period_end", end));
          if (accounts.isEmpty()) {
            return List.of();
          }
          Account account = accounts.get(0);
          List<Invoice> invoices = invoices(connection, accounts, start, end);
          List<OrgWhatIf> answers = new ArrayList<>();
          for (Repricing repricing : repricings) {
            BigDecimal invoiced = Money.zero(account.currency());
            BigDecimal whatIf = invoiced;
            List<ChargeLine> lines = new ArrayList<>();
            for (Rerated rerated : calculator.rerate(connection, invoices, repricing)) {
              invoiced = invoiced.add(rerated.invoiced());
              whatIf = whatIf.add(rerated.whatIf());
              lines.addAll(rerated.whatIfLines());
            }
            answers.add(
                new OrgWhatIf(
                    new AccountDelta(orgId, account.currency(), invoiced, whatIf),
                    List.copyOf(lines)));
          }
          return answers;
        });
  }

  /**
   * One organization's what-if: its totals, and the lines of its what-if total (those of each of
   * its invoices of the period, in their order).
   */
  public record OrgWhatIf(AccountDelta delta, List<ChargeLine> lines) {}

  private interface Work<T> {
    T in(Connection connection) throws Exception;
  }

  /**
   * {@code work} in one {@code READ ONLY} transaction at {@code REPEATABLE READ} (class comment),
   * rolled back.
   */
  private <T> T inSnapshot(Work<T> work) throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        try (Statement statement = connection.createStatement()) {
          statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        return work.in(connection);
      } finally {
        connection.rollback(); // nothing was written: ends the read-only transaction
        connection.setAutoCommit(autoCommit);
      }
    }
  }

  private static List<Account> accounts(
      Connection connection, String after, Instant start, Instant end) throws SQLException {
    return accounts(
        connection,
        ACCOUNTS
            .bind("after", after)
            .bind("period_start", start)
            .bind("period_end", end)
            .bind("page", PAGE));
  }

  private static List<Account> accounts(Connection connection, NamedSql.Binding query)
      throws SQLException {
    List<Account> accounts = new ArrayList<>();
    try (PreparedStatement statement = query.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        accounts.add(
            new Account(
                rs.getString(1),
                Currency.getInstance(rs.getString(2)),
                Sql.instant(rs.getTimestamp(3))));
      }
    }
    return accounts;
  }

  /** A page's organizations, each its invoices of the period summed, in the page's order. */
  private List<AccountDelta> priced(
      Connection connection, List<Account> page, Instant start, Instant end, Repricing repricing)
      throws SQLException {
    if (page.isEmpty()) {
      return List.of();
    }
    List<Invoice> all = invoices(connection, page, start, end);
    Map<String, AccountDelta> sums = new LinkedHashMap<>();
    for (Account account : page) {
      BigDecimal zero = Money.zero(account.currency());
      sums.put(account.orgId(), new AccountDelta(account.orgId(), account.currency(), zero, zero));
    }
    for (Rerated rerated : calculator.rerate(connection, all, repricing)) {
      sums.computeIfPresent(
          rerated.invoice().orgId(),
          (id, sum) ->
              new AccountDelta(
                  id,
                  sum.currency(),
                  sum.invoicedTotal().add(rerated.invoiced()),
                  sum.whatIfTotal().add(rerated.whatIf())));
    }
    return List.copyOf(sums.values());
  }

  /**
   * The invoices of the page's organizations in {@code [start, end)}, each one's part of the
   * period no invoice covers yet as the draft generate-invoices would make (class comment).
   */
  private static List<Invoice> invoices(
      Connection connection, List<Account> page, Instant start, Instant end) throws SQLException {
    Map<String, List<Invoice>> invoices = new LinkedHashMap<>();
    page.forEach(a -> invoices.put(a.orgId(), new ArrayList<>()));
    for (Invoice invoice :
        PeriodInvoices.of(connection, List.copyOf(invoices.keySet()), start, end)) {
      invoices.get(invoice.orgId()).add(invoice);
    }
    List<Invoice> all = new ArrayList<>();
    for (Account account : page) {
      List<Invoice> its = invoices.get(account.orgId());
      Instant from = start;
      for (Invoice invoice : its) {
        from = invoice.periodEnd().isAfter(from) ? invoice.periodEnd() : from;
      }
      Instant to =
          account.closedAt() != null && account.closedAt().isBefore(end) ? account.closedAt() : end;
      if (from.isBefore(to)) { // not drafted yet: as generate-invoices would draft it
        its.add(notOpened(account, from, to));
      }
      all.addAll(its);
    }
    return all;
  }

  /** The part of the period no invoice of the organization covers yet (id 0: not opened). */
  private static Invoice notOpened(Account account, Instant from, Instant to) {
    return new Invoice(
        0,
        null,
        account.orgId(),
        from,
        to,
        InvoiceStatus.DRAFT,
        account.currency(),
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
