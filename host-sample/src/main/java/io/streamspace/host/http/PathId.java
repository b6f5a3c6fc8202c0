package io.streamspace.host.http;

import java.util.OptionalLong;

/** A numeric id in a path, as the host's routes accept them. */
public final class PathId {

  // ASCII digits only: Long.parseLong would also read other scripts' digits ("１" is 1)
  private static final String DIGITS = "[0-9]{1,18}";

  private PathId() {}

  /** The id, or empty when the segment is not 1 to 18 ASCII digits (the route answers 404). */
  public static OptionalLong parse(String segment) {
    return segment.matches(DIGITS)
        ? OptionalLong.of(Long.parseLong(segment))
        : OptionalLong.empty();
  }
}
