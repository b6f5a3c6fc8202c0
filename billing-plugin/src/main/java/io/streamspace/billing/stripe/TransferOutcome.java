package io.streamspace.billing.stripe;

/**
 * How one try of a payout ended: Stripe's transfer (paid), or what went wrong; {@code refused}
 * when Stripe refused the try outright (a 4xx it answered: no transfer was made under its key),
 * {@code final} when trying again cannot help (an amount Stripe cannot take).
 */
public record TransferOutcome(String transferId, String error, boolean refused, boolean isFinal) {

  static TransferOutcome paid(String transferId) {
    return new TransferOutcome(transferId, null, false, false);
  }

  /** Stripe's answer is unknown (unreachable, 5xx, 409, 429): the next try keeps the key. */
  static TransferOutcome unknown(String error) {
    return new TransferOutcome(null, error, false, false);
  }

  static TransferOutcome refused(String error) {
    return new TransferOutcome(null, error, true, false);
  }

  static TransferOutcome givenUp(String error) {
    return new TransferOutcome(null, error, true, true);
  }

  public boolean isPaid() {
    return transferId != null;
  }
}
