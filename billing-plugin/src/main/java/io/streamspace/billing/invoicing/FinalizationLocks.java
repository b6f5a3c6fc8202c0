package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.GaplessNumbers;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The row locks a finalization takes before it claims, credits and numbers, in the one order
 * every finalization and every change of an account's invoices keeps, so that two chunks, two
 * runs or a run and an admin's void never deadlock: a chunk's drafts by id ({@link #drafts}),
 * then their accounts by user_id ({@link #accounts}; one account alone: {@link #account}); the
 * accounts' credits ({@code CreditApplier}), their prepaid balances ({@code BalanceApplier}) and
 * the year's number counter ({@link GaplessNumbers}) come after, the counter last.
 */
final class FinalizationLocks {

  // A chunk's drafts, locked in id order; those another run holds are skipped (it is finalizing
  // them: the two runs share the work instead of waiting for each other), and looked at again
  // waiting, at the end of the run (LOCK_DRAFTS_WAITING), in case that run failed or died.
  private static final NamedSql LOCK_DRAFTS_SKIPPING =
      NamedSql.of(
          """
          SELECT %s FROM billing_invoices
          WHERE id = ANY(:id::text[]::bigint[]) AND status = 'draft'
          ORDER BY id FOR UPDATE SKIP LOCKED"""
              .formatted(InvoiceRepository.COLUMNS));

  private static final NamedSql LOCK_DRAFTS_WAITING =
      NamedSql.of(
          """
          SELECT %s FROM billing_invoices
          WHERE id = ANY(:id::text[]::bigint[]) AND status = 'draft'
          ORDER BY id FOR UPDATE"""
              .formatted(InvoiceRepository.COLUMNS));

  // The drafts of a chunk (its taken drafts' ids and accounts) whose account has a draft opened
  // before them outside the chunk: they wait for it. Read once the accounts are locked, so that
  // a run finalizing that earlier draft has committed (or not begun).
  private static final NamedSql WAITING_FOR_EARLIER =
      NamedSql.of(
          """
          SELECT d.id FROM unnest(:id::text[]::bigint[], :user_id::text[]) AS d(id, user_id)
          WHERE EXISTS (
            SELECT 1 FROM billing_invoices e
            WHERE e.user_id = d.user_id AND e.status = 'draft' AND e.id < d.id
              AND e.id <> ALL (:id::text[]::bigint[]))""");

  // Finalizations of one account take turns (two of them, say the job and an admin's invoice,
  // would otherwise race for the same unbilled records). NO KEY UPDATE: rows that merely
  // reference the account (credits being granted) need not wait.
  private static final NamedSql LOCK_ACCOUNT =
      NamedSql.of("SELECT 1 FROM billing_accounts WHERE user_id = :user_id FOR NO KEY UPDATE");

  // The accounts of a chunk, in user_id order (as every chunk takes them, so two never
  // deadlock), each answering whether it is a team organization's (its invoice is broken down
  // by member)
  private static final NamedSql LOCK_ACCOUNTS =
      NamedSql.of(
          """
          SELECT user_id, NOT personal FROM billing_accounts
          WHERE user_id = ANY(:user_id::text[])
          ORDER BY user_id FOR NO KEY UPDATE""");

  private FinalizationLocks() {}

  /**
   * Locks the drafts of {@code ids} that are still drafts, in id order, and answers them; with
   * {@code skip}, those another transaction holds are left out instead of waited for.
   */
  static List<Invoice> drafts(Connection connection, List<Long> ids, boolean skip)
      throws SQLException {
    List<Invoice> drafts = new ArrayList<>();
    try (PreparedStatement statement =
            (skip ? LOCK_DRAFTS_SKIPPING : LOCK_DRAFTS_WAITING)
                .bind("id", SqlArrays.array(connection, ids, id -> id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        drafts.add(InvoiceRepository.read(rs));
      }
    }
    return drafts;
  }

  /** Locks the drafts' accounts; answers those of team organizations. */
  static Set<String> accounts(Connection connection, List<Invoice> drafts) throws SQLException {
    Set<String> teams = new HashSet<>();
    List<String> accounts = drafts.stream().map(Invoice::orgId).distinct().toList();
    try (PreparedStatement statement =
            LOCK_ACCOUNTS
                .bind("user_id", SqlArrays.array(connection, accounts, a -> a))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        if (rs.getBoolean(2)) {
          teams.add(rs.getString(1));
        }
      }
    }
    return teams;
  }

  /**
   * Locks the account's row for the transaction: whatever consumes or gives back its credits
   * (finalizing, voiding) takes it first, so they never lock credits in clashing orders.
   */
  static void account(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement lock = LOCK_ACCOUNT.bind("user_id", orgId).prepare(connection)) {
      lock.executeQuery().close();
    }
  }

  /**
   * The ids of the drafts whose account has a draft opened before them outside {@code drafts}
   * (after their accounts are locked).
   */
  static Set<Long> waitingForEarlier(Connection connection, List<Invoice> drafts)
      throws SQLException {
    Set<Long> waiting = new HashSet<>();
    try (PreparedStatement statement =
            WAITING_FOR_EARLIER
                .bind("id", SqlArrays.array(connection, drafts, Invoice::id))
                .bind("user_id", SqlArrays.array(connection, drafts, Invoice::orgId))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        waiting.add(rs.getLong(1));
      }
    }
    return waiting;
  }
}
