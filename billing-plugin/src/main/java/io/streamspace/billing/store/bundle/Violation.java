package io.streamspace.billing.store.bundle;

/**
 * One failed rule of a bundle: its stable {@code rule} name (see {@link BundleInspector}), the
 * normalized path of the file it is about ({@code null} when it is about the bundle as a whole),
 * and a sentence for the creator.
 */
public record Violation(String rule, String file, String detail) {}
