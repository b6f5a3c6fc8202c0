package io.streamspace.billing.spend;

import java.util.Arrays;
import java.util.Optional;

/** What a spending limit does when the period's estimated cost reaches it. */
public enum SpendAction {
  /** Tell the account ({@code billing.spend.reached}), nothing more. */
  WARN("warn"),
  /** Also hold the account once the notice is over: sessions suspended, new ones refused. */
  BLOCK("block");

  private final String jsonName;

  SpendAction(String jsonName) {
    this.jsonName = jsonName;
  }

  /** Its name in JSON and in the database. */
  public String jsonName() {
    return jsonName;
  }

  public static Optional<SpendAction> named(String name) {
    return Arrays.stream(values()).filter(a -> a.jsonName.equals(name)).findFirst();
  }
}
