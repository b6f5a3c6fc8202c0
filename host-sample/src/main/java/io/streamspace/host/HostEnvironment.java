package io.streamspace.host;

import io.streamspace.host.auth.AdminTokenPolicy;
import io.streamspace.host.auth.TrustedProxies;
import io.streamspace.host.auth.jwt.PlatformTokenSettings;
import io.streamspace.host.logging.LogFormat;
import io.streamspace.host.metrics.MetricsRoutes;
import io.streamspace.host.webhooks.WebhookDestinations;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every environment variable the host reads, with one line each: {@code --help} prints them and
 * a test holds the operator guide's table (docs/operator-guide.md, "Environment variables") to
 * the same names, so neither can drift.
 */
final class HostEnvironment {

  /** A variable and what it does, in one line of {@code --help}. */
  record Variable(String name, String summary) {}

  static final String DEBUG = "STREAMSPACE_DEBUG";

  static final String HOST = "STREAMSPACE_HOST";

  static final String JOURNAL = "STREAMSPACE_JOURNAL";
  static final String KAFKA_BOOTSTRAP = "STREAMSPACE_KAFKA_BOOTSTRAP";
  static final String KAFKA_TOPIC = "STREAMSPACE_KAFKA_TOPIC";
  static final String KAFKA_PARTITIONS = "STREAMSPACE_KAFKA_PARTITIONS";
  static final String KAFKA_REPLICATION_FACTOR = "STREAMSPACE_KAFKA_REPLICATION_FACTOR";
  static final String KAFKA_PROPERTIES = "STREAMSPACE_KAFKA_PROPERTIES";
  static final String KAFKA_INTAKE_FIRST = "STREAMSPACE_KAFKA_INTAKE_FIRST";

  static final List<Variable> VARIABLES =
      List.of(
          new Variable(AdminTokenPolicy.ENV, "the admin's bearer token (32+ characters)"),
          new Variable(HOST, "the address HTTP listens on (default 127.0.0.1), as --host"),
          new Variable(
              TrustedProxies.ENV,
              "reverse proxies (addresses, CIDR) whose X-Forwarded-For is read"),
          new Variable("BILLING_DB_URL", "JDBC URL of an external PostgreSQL (as --db-url)"),
          new Variable("BILLING_DB_USER", "its user, unless the URL names one"),
          new Variable("BILLING_DB_PASSWORD", "its password, unless the URL holds one"),
          new Variable("STREAMSPACE_SECRETS_KEY", "AES-256 key (base64) for stored secrets"),
          new Variable(HostCommandLine.REPOSITORIES_ENV, "plugin repositories, comma-separated"),
          new Variable(JOURNAL, "postgres (default) or kafka, as --journal"),
          new Variable(KAFKA_BOOTSTRAP, "the Kafka brokers, host:port,..., as --kafka-bootstrap"),
          new Variable(KAFKA_TOPIC, "the Kafka journal's topic, as --kafka-topic"),
          new Variable(KAFKA_PARTITIONS, "its partitions if created, as --kafka-partitions"),
          new Variable(
              KAFKA_REPLICATION_FACTOR, "its replicas if created, as --kafka-replication-factor"),
          new Variable(KAFKA_PROPERTIES, "Kafka client properties file, as --kafka-properties"),
          new Variable(KAFKA_INTAKE_FIRST, "on (default) or off, as --kafka-intake-first"),
          new Variable(LogFormat.ENV, "text (default) or json, as --log-format"),
          new Variable(DEBUG, "true: a refused start prints its stack trace, as --debug"),
          new Variable("STRIPE_SECRET_KEY", "the billing plugin's Stripe API key"),
          new Variable("STRIPE_WEBHOOK_SECRET", "the billing plugin's Stripe webhook secret"),
          new Variable("BILLING_AUDIT_KEY", "the billing plugin's audit checkpoint key (HMAC)"),
          new Variable(
              WebhookDestinations.ALLOW_PRIVATE_ENV,
              "true: webhooks may go to private addresses (loopback, 10/8...)"),
          new Variable(MetricsRoutes.TOKEN_ENV, "a bearer token that may read /metrics only"),
          new Variable(PlatformTokenSettings.JWKS_URL, "the platform's JWKS, to accept its JWTs"),
          new Variable(PlatformTokenSettings.PUBLIC_KEY, "or its public key (PEM), instead"),
          new Variable(PlatformTokenSettings.ISSUER, "the issuer its JWTs must name"),
          new Variable(PlatformTokenSettings.AUDIENCE, "the audience its JWTs must name"),
          new Variable(
              PlatformTokenSettings.USER_CLAIM,
              "the claim holding the user id (default preferred_username)"),
          new Variable(
              PlatformTokenSettings.ROLES_CLAIM,
              "dotted path to the roles (default realm_access.roles)"),
          new Variable(
              PlatformTokenSettings.ADMIN_ROLE, "the platform role that is the host's admin"),
          new Variable(
              PlatformTokenSettings.PLATFORM_ROLE,
              "the platform role that may post events (default: none)"));

  private HostEnvironment() {}

  /** The lines {@code --help} ends with. */
  static String usage() {
    return "Environment:\n"
        + VARIABLES.stream()
            .map(v -> String.format("  %-32s %s", v.name(), v.summary()))
            .collect(Collectors.joining("\n"));
  }
}
