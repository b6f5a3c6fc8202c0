package io.streamspace.billing.admin;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What the admin overview of accounts is ordered by; ties always go by user id. */
public enum AccountOrder {
  USER_ID,
  CURRENT_PERIOD_COST,
  OUTSTANDING_BALANCE,
  CREDIT_BALANCE;

  /** The name as the {@code sort} parameter and the JSON write it: {@code credit_balance}... */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The order of that name, if there is one. */
  public static Optional<AccountOrder> named(String jsonName) {
    return Arrays.stream(values()).filter(o -> o.jsonName().equals(jsonName)).findFirst();
  }
}
