package io.streamspace.billing.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bundle's version, {@code MAJOR.MINOR.PATCH} with an optional {@code -pre-release}, ordered as
 * Semantic Versioning 2.0 orders them: by the three numbers, then a pre-release before its
 * release, pre-releases by their text (their dot-separated identifiers are compared as text, a
 * simplification that orders {@code -rc.10} before {@code -rc.9}). Build metadata is not taken.
 */
public record SemanticVersion(long major, long minor, long patch, String preRelease)
    implements Comparable<SemanticVersion> {

  private static final Pattern FORM =
      Pattern.compile(
          "(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})(?:-([0-9A-Za-z.-]{1,20}))?");

  /** The version the text names; {@link IllegalArgumentException} when it is not one. */
  public static SemanticVersion parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a version MAJOR.MINOR.PATCH: " + text);
    }
    return new SemanticVersion(
        Long.parseLong(m.group(1)),
        Long.parseLong(m.group(2)),
        Long.parseLong(m.group(3)),
        m.group(4));
  }

  @Override
  public int compareTo(SemanticVersion other) {
    int numbers =
        major != other.major
            ? Long.compare(major, other.major)
            : minor != other.minor
                ? Long.compare(minor, other.minor)
                : Long.compare(patch, other.patch);
    if (numbers != 0) {
      return numbers;
    }
    if (preRelease == null || other.preRelease == null) {
      return preRelease == null ? (other.preRelease == null ? 0 : 1) : -1;
    }
    return preRelease.compareTo(other.preRelease);
  }
}
