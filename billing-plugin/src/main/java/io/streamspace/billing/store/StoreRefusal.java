package io.streamspace.billing.store;

/**
 * A store change refused because of what is stored (409 at the routes): a version that exists
 * already or is not newer, a review pending, an item delisted or with nothing to review.
 */
public final class StoreRefusal extends Exception {

  private final String code;

  public StoreRefusal(String code, String message) {
    super(message);
    this.code = code;
  }

  /** The error code the API answers, e.g. {@code version_exists}. */
  public String code() {
    return code;
  }
}
