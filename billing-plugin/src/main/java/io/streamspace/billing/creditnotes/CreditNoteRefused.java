package io.streamspace.billing.creditnotes;

import java.util.Map;

/**
 * A credit note refused, nothing changed: why ({@code code}), the request's field at fault when
 * one is ({@code field}, as the route names it: {@code lines[0].amount}), and what the caller may
 * need to correct it ({@code details}: for {@code over_credit} the line and what it still holds).
 */
public final class CreditNoteRefused extends Exception {

  /** What kind of refusal it is, and the HTTP status it is answered with. */
  public enum Kind {
    /** The request itself is wrong (400, naming the field). */
    INVALID,
    /** No such invoice (404). */
    NOT_FOUND,
    /** The invoice or its money does not allow it now (409). */
    CONFLICT,
    /** Its key was used for another note (422). */
    KEY_REUSED
  }

  private final Kind kind;
  private final String code;
  private final String field;
  private final Map<String, Object> details;

  CreditNoteRefused(
      Kind kind, String code, String field, String message, Map<String, Object> details) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
    this.field = field;
    this.details = Map.copyOf(details);
  }

  static CreditNoteRefused invalid(String field, String message) {
    return new CreditNoteRefused(Kind.INVALID, "invalid_parameter", field, message, Map.of());
  }

  static CreditNoteRefused conflict(String code, String message, Map<String, Object> details) {
    return new CreditNoteRefused(Kind.CONFLICT, code, null, message, details);
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  /** The request's field at fault; null when none is. */
  public String field() {
    return field;
  }

  public Map<String, Object> details() {
    return details;
  }
}
