package io.streamspace.billing.spend;

import io.streamspace.billing.quota.QuotaState;

/** Where the period's estimated cost stands against a spending limit. */
public enum SpendState {
  OK("ok"),
  /** At or over the limit's warning percent. */
  WARNING("warning"),
  /** At or over the limit. */
  REACHED("reached");

  private final String jsonName;

  SpendState(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  /** The quota rule's state of the estimate against the limit, in a limit's words. */
  static SpendState of(QuotaState state) {
    return switch (state) {
      case OK -> OK;
      case WARNING -> WARNING;
      default -> REACHED;
    };
  }
}
