package io.streamspace.billing.store.bundle;

/**
 * A text colour on a background colour that the theme uses, as the manifest declares it ({@code
 * #rgb} or {@code #rrggbb}); {@code large} for large text (WCAG: at least 18pt, or 14pt bold),
 * which needs 3:1 instead of 4.5:1.
 */
public record ColorPair(String text, String background, boolean large) {}
