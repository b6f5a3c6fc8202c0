package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import io.streamspace.billing.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One Stripe customer per billing account, created at its first Stripe call and stored in
 * {@code billing_stripe_customers}. Concurrent first calls (two nodes too) wait on a transaction
 * lock of the account's own, so one creates the customer and the others read it; the idempotency
 * key {@code customer-<account_id>} also makes Stripe answer a repeated create (a retry, or a
 * crash between Stripe's answer and the commit) with the same customer for 24 hours.
 */
public final class StripeCustomers {

  private final DataSource dataSource;
  private final Clock clock;

  public StripeCustomers(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** The account's stored customer id, if it has one. */
  public Optional<String> find(String accountId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return find(c, accountId);
    }
  }

  /** The account's customer id, created in Stripe (and stored) when it has none yet. */
  public String customerOf(String accountId, StripeClient stripe)
      throws SQLException, StripeException {
    Optional<String> stored = find(accountId);
    if (stored.isPresent()) {
      return stored.get();
    }
    return Transactions.<String, StripeException>inTransaction(
        dataSource,
        c -> {
          try (PreparedStatement lock =
              c.prepareStatement(
                  "SELECT pg_advisory_xact_lock(hashtext('billing_stripe_customers'),"
                      + " hashtext(?))")) {
            lock.setString(1, accountId);
            lock.execute();
          }
          Optional<String> createdMeanwhile = find(c, accountId);
          if (createdMeanwhile.isPresent()) {
            return createdMeanwhile.get();
          }
          String customerId = create(accountId, stripe);
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO billing_stripe_customers (account_id, customer_id, created_at)"
                      + " VALUES (?, ?, ?)")) {
            insert.setString(1, accountId);
            insert.setString(2, customerId);
            insert.setTimestamp(3, Timestamp.from(clock.instant()));
            insert.executeUpdate();
          }
          return customerId;
        });
  }

  private static String create(String accountId, StripeClient stripe) throws StripeException {
    Customer customer =
        stripe
            .v1()
            .customers()
            .create(
                CustomerCreateParams.builder().putMetadata("account_id", accountId).build(),
                RequestOptions.builder().setIdempotencyKey("customer-" + accountId).build());
    return customer.getId();
  }

  private static Optional<String> find(Connection c, String accountId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT customer_id FROM billing_stripe_customers WHERE account_id = ?")) {
      s.setString(1, accountId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }
}
