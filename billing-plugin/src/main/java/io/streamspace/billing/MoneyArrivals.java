package io.streamspace.billing;

import java.util.function.Consumer;

/**
 * Tells of money put on an organization's prepaid balance, once it committed, to what acts on it
 * (the wind-down resumes a spent balance's sessions). The routes and payments that put money in
 * are wired before live cost, which the wind-down reads, so it listens once it is wired; until
 * then nobody does.
 */
final class MoneyArrivals {

  private volatile Consumer<String> listener = orgId -> {};

  void listen(Consumer<String> listener) {
    this.listener = listener;
  }

  void arrived(String orgId) {
    listener.accept(orgId);
  }
}
