package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerSearchParams;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Stripe customer per billing account, created at its first Stripe call and stored in
 * {@code billing_stripe_customers}. No connection is held while Stripe answers, so a slow or
 * absent Stripe never takes the pool that metering and invoicing use.
 *
 * <p>Created once: the create call carries the idempotency key {@code customer-<account_id>}, so
 * concurrent first calls (two nodes too) and a retry after a crash between Stripe's answer and our
 * commit get the same customer from Stripe, and the first one stored is the account's. Stripe
 * keeps a key for 24 hours: an account whose first attempt ({@code
 * billing_stripe_customer_attempts}) is older than that searches Stripe for its customer by the
 * {@code account_id} metadata before creating one.
 */
public final class StripeCustomers {

  /** Less than Stripe's 24 hours, so a key about to expire is never trusted. */
  static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(23);

  private static final Logger log = LoggerFactory.getLogger(StripeCustomers.class);

  private static final NamedSql FIND =
      NamedSql.of("SELECT customer_id FROM billing_stripe_customers WHERE account_id = :account");

  private static final NamedSql DEFAULT_METHOD =
      NamedSql.of(
          """
          SELECT default_payment_method FROM billing_stripe_customers
          WHERE account_id = :account""");

  // no arbiter: a concurrent first call storing the same customer meets either unique key
  private static final NamedSql STORE =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_customers (account_id, customer_id, created_at)
          VALUES (:account, :customer, :now) ON CONFLICT DO NOTHING""");

  // the first attempt's time, kept by later attempts
  private static final NamedSql ATTEMPT =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_customer_attempts AS a (account_id, first_at)
          VALUES (:account, :now)
          ON CONFLICT (account_id) DO UPDATE SET first_at = a.first_at
          RETURNING first_at""");

  private final DataSource dataSource;
  private final Clock clock;

  public StripeCustomers(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** The account's stored customer id, if it has one. */
  public Optional<String> find(String orgId) throws SQLException {
    return text(FIND, orgId);
  }

  /**
   * The default payment method of the account's customer as the webhook keeps it from Stripe's
   * events ({@code default_payment_method}), if it has one.
   */
  public Optional<String> defaultPaymentMethod(String orgId) throws SQLException {
    return text(DEFAULT_METHOD, orgId);
  }

  private Optional<String> text(NamedSql query, String orgId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = query.bind("account", orgId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
    }
  }

  /** The account's customer id, created in Stripe (and stored) when it has none yet. */
  public String customerOf(String orgId, StripeApi stripe) throws SQLException, StripeFailure {
    return StripeFailure.calling(() -> customerOf(orgId, stripe.client()));
  }

  /** {@link #customerOf(String, StripeApi)} through any of the plugin's clients. */
  String customerOf(String orgId, StripeClient stripe) throws SQLException, StripeException {
    Optional<String> stored = find(orgId);
    if (stored.isPresent()) {
      return stored.get();
    }
    Instant firstAttempt = firstAttempt(orgId);
    boolean keyExpired = firstAttempt.plus(IDEMPOTENCY_WINDOW).isBefore(clock.instant());
    Optional<String> found = keyExpired ? search(orgId, stripe) : Optional.empty();
    String customerId = found.isPresent() ? found.get() : create(orgId, stripe);
    try (Connection c = dataSource.getConnection()) {
      STORE
          .bind("account", orgId)
          .bind("customer", customerId)
          .bind("now", clock.instant())
          .update(c);
    }
    String kept = find(orgId).orElseThrow();
    if (!kept.equals(customerId)) {
      log.warn(
          "Stripe customer {} of account {} is not used: {} was stored first",
          SafeText.forLog(customerId),
          orgId,
          SafeText.forLog(kept));
    }
    return kept;
  }

  private Instant firstAttempt(String orgId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            ATTEMPT.bind("account", orgId).bind("now", clock.instant()).prepare(c);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getTimestamp(1).toInstant();
    }
  }

  private static String create(String orgId, StripeClient stripe) throws StripeException {
    Customer customer =
        stripe
            .v1()
            .customers()
            .create(
                CustomerCreateParams.builder().putMetadata("account_id", orgId).build(),
                RequestOptions.builder().setIdempotencyKey("customer-" + orgId).build());
    return customer.getId();
  }

  /** The account's oldest customer at Stripe, by the metadata we create customers with. */
  private static Optional<String> search(String orgId, StripeClient stripe) throws StripeException {
    String quoted = "'" + orgId.replace("\\", "\\\\").replace("'", "\\'") + "'";
    return stripe
        .v1()
        .customers()
        .search(CustomerSearchParams.builder().setQuery("metadata['account_id']:" + quoted).build())
        .getData()
        .stream()
        .min(
            Comparator.comparing(
                    Customer::getCreated, Comparator.nullsLast(Comparator.<Long>naturalOrder()))
                .thenComparing(Customer::getId))
        .map(Customer::getId);
  }
}
