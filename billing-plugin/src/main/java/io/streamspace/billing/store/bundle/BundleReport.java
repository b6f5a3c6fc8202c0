package io.streamspace.billing.store.bundle;

import java.util.List;
import java.util.Optional;

/**
 * What inspecting a bundle found: the manifest when it was read with no {@code manifest} or
 * {@code price} failure, every failure (in the order found), and the files that were read whole.
 */
public record BundleReport(
    Optional<Manifest> manifest, List<Violation> violations, List<BundleFile> files) {

  public BundleReport {
    violations = List.copyOf(violations);
    files = List.copyOf(files);
  }

  /** Whether the bundle passed every rule: no violation at all. */
  public boolean accepted() {
    return violations.isEmpty();
  }
}
