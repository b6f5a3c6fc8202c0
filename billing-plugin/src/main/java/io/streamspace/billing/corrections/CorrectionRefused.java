package io.streamspace.billing.corrections;

/**
 * A correction that cannot be made as asked, with nothing changed: the request's {@code field}
 * that is wrong ({@code items[2].amend.to}) and why.
 */
public final class CorrectionRefused extends Exception {

  private final String field;

  public CorrectionRefused(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
