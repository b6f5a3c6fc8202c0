package io.streamspace.billing.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import io.streamspace.plugin.api.metrics.PluginMetrics;

/**
 * stripe-java's HTTP client, which retries (with its exponential backoff and jitter, up to the
 * client's max network retries) connection failures, timeouts, 409 and 5xx, and a 429 too: a
 * rate-limited answer is marked {@code Stripe-Should-Retry: true}, as Stripe itself marks the
 * 429s it wants retried, unless Stripe said otherwise. Each request is counted by outcome
 * ({@code stripe.requests}).
 */
final class RetryingHttpClient extends HttpURLConnectionClient {

  private static final int TOO_MANY_REQUESTS = 429;
  private static final String SHOULD_RETRY = "Stripe-Should-Retry";

  private final PluginMetrics metrics;

  /** @param metrics where each request to Stripe, each retry too, is counted by outcome */
  RetryingHttpClient(PluginMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public StripeResponse request(StripeRequest request) throws ApiConnectionException {
    StripeResponse response;
    try {
      response = super.request(request);
    } catch (ApiConnectionException e) {
      counted("network_error");
      throw e;
    }
    counted(outcome(response.code()));
    if (response.code() != TOO_MANY_REQUESTS
        || response.headers().firstValue(SHOULD_RETRY).isPresent()) {
      return response;
    }
    return new StripeResponse(
        response.code(),
        response.headers().withAdditionalHeader(SHOULD_RETRY, "true"),
        response.body());
  }

  private static String outcome(int status) {
    if (status == TOO_MANY_REQUESTS) {
      return "rate_limited";
    }
    return status < 300 ? "ok" : status < 500 ? "client_error" : "server_error";
  }

  private void counted(String outcome) {
    metrics.counter("stripe.requests", "outcome", outcome).increment();
  }
}
