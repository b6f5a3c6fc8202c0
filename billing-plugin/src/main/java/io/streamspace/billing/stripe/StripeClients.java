package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The Stripe client of the plugin, built from the secret key the host holds now (so a key set
 * or rotated later is used at the next call) and the endpoint, and kept while both stay the
 * same. Every call has the endpoint's timeouts and is retried {@link #MAX_NETWORK_RETRIES}
 * times with backoff on network errors, 409, 429 and 5xx ({@link RetryingHttpClient}); stripe-java
 * sends the same idempotency key on each retry of a POST, so a retry is never a second charge.
 */
public final class StripeClients {

  /** stripe-java's max network retries: 3 tries in all, 0.5 s then 1 s apart (with jitter). */
  static final int MAX_NETWORK_RETRIES = 2;

  private record Built(String secretKey, StripeEndpoint endpoint, StripeClient client) {}

  private final Supplier<Optional<String>> secretKey;
  private final Supplier<StripeEndpoint> endpoint;
  private final AtomicReference<Built> built = new AtomicReference<>();

  public StripeClients(Supplier<Optional<String>> secretKey, Supplier<StripeEndpoint> endpoint) {
    this.secretKey = secretKey;
    this.endpoint = endpoint;
  }

  /** The client for the current key and endpoint; empty while the host holds no secret key. */
  public Optional<StripeClient> client() {
    Optional<String> key = secretKey.get().filter(k -> !k.isBlank());
    if (key.isEmpty()) {
      return Optional.empty();
    }
    StripeEndpoint where = endpoint.get();
    Built current = built.get();
    if (current == null
        || !current.secretKey().equals(key.get())
        || !current.endpoint().equals(where)) {
      current = new Built(key.get(), where, build(key.get(), where));
      built.set(current);
    }
    return Optional.of(current.client());
  }

  private static StripeClient build(String secretKey, StripeEndpoint endpoint) {
    return StripeClient.builder()
        .setApiKey(secretKey)
        .setApiBase(endpoint.apiBase())
        .setConnectTimeout((int) endpoint.connectTimeout().toMillis())
        .setReadTimeout((int) endpoint.readTimeout().toMillis())
        .setMaxNetworkRetries(MAX_NETWORK_RETRIES)
        .setHttpClient(new RetryingHttpClient())
        .build();
  }
}
