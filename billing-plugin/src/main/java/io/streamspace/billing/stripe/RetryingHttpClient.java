package io.streamspace.billing.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;

/**
 * stripe-java's HTTP client, which retries (with its exponential backoff and jitter, up to the
 * client's max network retries) connection failures, timeouts, 409 and 5xx, and a 429 too: a
 * rate-limited answer is marked {@code Stripe-Should-Retry: true}, as Stripe itself marks the
 * 429s it wants retried, unless Stripe said otherwise.
 */
final class RetryingHttpClient extends HttpURLConnectionClient {

  private static final int TOO_MANY_REQUESTS = 429;
  private static final String SHOULD_RETRY = "Stripe-Should-Retry";

  @Override
  public StripeResponse request(StripeRequest request) throws ApiConnectionException {
    StripeResponse response = super.request(request);
    if (response.code() != TOO_MANY_REQUESTS
        || response.headers().firstValue(SHOULD_RETRY).isPresent()) {
      return response;
    }
    return new StripeResponse(
        response.code(),
        response.headers().withAdditionalHeader(SHOULD_RETRY, "true"),
        response.body());
  }
}
