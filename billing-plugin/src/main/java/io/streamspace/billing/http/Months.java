package io.streamspace.billing.http;

import io.streamspace.common.http.ApiException;
import java.time.YearMonth;
import java.util.regex.Pattern;

/** A month named in a request, {@code YYYY-MM}: read once, the same way by every route. */
final class Months {

  // from 1900-01 to 9999-12: a month a timestamp of PostgreSQL's can hold
  private static final Pattern MONTH = Pattern.compile("(19|[2-9][0-9])[0-9]{2}-(0[1-9]|1[0-2])");

  private Months() {}

  /** The month {@code value} names: 400 naming {@code field} when it is none. */
  static YearMonth parse(String value, String field) throws ApiException {
    if (value == null || !MONTH.matcher(value).matches()) {
      throw ApiException.badParameter(
          field, field + " must be a month YYYY-MM from 1900-01 to 9999-12, was " + value);
    }
    return YearMonth.parse(value);
  }
}
