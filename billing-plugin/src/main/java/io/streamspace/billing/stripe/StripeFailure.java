package io.streamspace.billing.stripe;

import com.stripe.exception.StripeException;

/**
 * Stripe refused a call or could not be reached, once stripe-java's retries were spent: what the
 * gateway's callers catch instead of stripe-java's {@code StripeException}, so that no code
 * outside this package names a stripe-java type. Its message is stripe-java's own (Stripe's
 * message, its code and the request id), so what is logged and recorded reads as before.
 */
public final class StripeFailure extends Exception {

  /** A call to Stripe through stripe-java; {@code E}, what else it may throw (SQL's). */
  @FunctionalInterface
  interface Call<T, E extends Exception> {
    T call() throws StripeException, E;
  }

  private final String requestId;
  private final boolean refused;

  StripeFailure(StripeException cause) {
    super(cause.getMessage(), cause);
    this.requestId = cause.getRequestId();
    Integer status = cause.getStatusCode();
    // 409: an idempotent request still under way; 429: too many requests. Both pass.
    this.refused =
        status != null && status >= 400 && status < 500 && status != 409 && status != 429;
  }

  /**
   * Whether Stripe answered and refused the request (a 4xx but 409 and 429): the same request
   * would be refused again, unlike a failure to reach Stripe, a 5xx or a rate limit.
   */
  public boolean refused() {
    return refused;
  }

  /** The call's answer, or its {@code StripeException} as a failure. */
  static <T, E extends Exception> T calling(Call<T, E> call) throws StripeFailure, E {
    try {
      return call.call();
    } catch (StripeException e) {
      throw new StripeFailure(e);
    }
  }

  /** Stripe's id of the request that failed, for its Dashboard's logs; null when none. */
  public String requestId() {
    return requestId;
  }
}
