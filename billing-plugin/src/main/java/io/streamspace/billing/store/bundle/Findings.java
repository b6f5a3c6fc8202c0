package io.streamspace.billing.store.bundle;

import java.util.ArrayList;
import java.util.List;

/** The violations found so far, in the order found. */
final class Findings {

  private final List<Violation> violations = new ArrayList<>();

  void add(String rule, String file, String detail) {
    violations.add(new Violation(rule, file, detail));
  }

  boolean any(String rule) {
    return violations.stream().anyMatch(v -> v.rule().equals(rule));
  }

  List<Violation> list() {
    return violations;
  }
}
