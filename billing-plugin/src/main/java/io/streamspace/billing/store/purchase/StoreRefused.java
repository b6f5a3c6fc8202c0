package io.streamspace.billing.store.purchase;

/** Why a purchase or a refund was refused; nothing was changed. */
public final class StoreRefused extends Exception {

  /** The organization is locked for non-payment; the message is the lock's sentence. */
  public static final String ACCOUNT_LOCKED = "account_locked";

  private final String code;

  public StoreRefused(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
