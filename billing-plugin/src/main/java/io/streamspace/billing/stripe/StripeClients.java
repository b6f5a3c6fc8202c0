package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Stripe clients of the plugin, built from the secret key the host holds now (so a key set
 * or rotated later is used at the next call) and the endpoint, and kept while both stay the
 * same. Calls are retried with backoff on network errors, 409, 429 and 5xx ({@link
 * RetryingHttpClient}); stripe-java sends the same idempotency key on each retry of a POST, so a
 * retry is never a second charge. Two clients: the collection queue's ({@link #client}), which
 * may wait long on a job thread, and the interactive one ({@link #interactive}) for routes a
 * person waits on, which gives up sooner.
 */
public final class StripeClients {

  /** stripe-java's max network retries: 3 tries in all, 0.5 s then 1 s apart (with jitter). */
  static final int MAX_NETWORK_RETRIES = 2;

  /** The interactive client's: 2 tries in all, so a person waits for at most two. */
  static final int INTERACTIVE_NETWORK_RETRIES = 1;

  private record Built(String secretKey, StripeEndpoint endpoint, StripeClient client) {}

  private final Supplier<Optional<String>> secretKey;
  private final Supplier<StripeEndpoint> endpoint;
  private final PluginMetrics metrics;
  private final AtomicReference<Built> collection = new AtomicReference<>();
  private final AtomicReference<Built> interactive = new AtomicReference<>();

  /** @param metrics where each request to Stripe is counted ({@link RetryingHttpClient}) */
  public StripeClients(
      Supplier<Optional<String>> secretKey,
      Supplier<StripeEndpoint> endpoint,
      PluginMetrics metrics) {
    this.secretKey = secretKey;
    this.endpoint = endpoint;
    this.metrics = metrics;
  }

  /**
   * The collection queue's client for the current key and endpoint: the endpoint's timeouts,
   * {@link #MAX_NETWORK_RETRIES} retries; empty while the host holds no secret key.
   */
  Optional<StripeClient> client() {
    return client(collection, StripeEndpoint::readTimeout, MAX_NETWORK_RETRIES);
  }

  /**
   * The client of the routes a person waits on ({@code /create-checkout}, {@code /portal},
   * {@code /payment-methods}): the endpoint's interactive read timeout, {@link
   * #INTERACTIVE_NETWORK_RETRIES} retry; empty while the host holds no secret key.
   */
  Optional<StripeClient> interactive() {
    return client(interactive, StripeEndpoint::interactiveReadTimeout, INTERACTIVE_NETWORK_RETRIES);
  }

  /** The {@link #interactive} client as a route holds it; empty while no secret key is held. */
  public Optional<StripeApi> interactiveApi() {
    return interactive().map(StripeApi::new);
  }

  private Optional<StripeClient> client(
      AtomicReference<Built> built, Function<StripeEndpoint, Duration> readTimeout, int retries) {
    Optional<String> key = secretKey.get().filter(k -> !k.isBlank());
    if (key.isEmpty()) {
      return Optional.empty();
    }
    StripeEndpoint where = endpoint.get();
    Built current = built.get();
    if (current == null
        || !current.secretKey().equals(key.get())
        || !current.endpoint().equals(where)) {
      current =
          new Built(key.get(), where, build(key.get(), where, readTimeout.apply(where), retries));
      built.set(current);
    }
    return Optional.of(current.client());
  }

  private StripeClient build(
      String secretKey, StripeEndpoint endpoint, Duration readTimeout, int retries) {
    return StripeClient.builder()
        .setApiKey(secretKey)
        .setApiBase(endpoint.apiBase())
        .setConnectTimeout((int) endpoint.connectTimeout().toMillis())
        .setReadTimeout((int) readTimeout.toMillis())
        .setMaxNetworkRetries(retries)
        .setHttpClient(new RetryingHttpClient(metrics))
        .build();
  }
}
