package io.streamspace.billing.db;

import java.sql.Timestamp;
import java.time.Instant;

/** Reading rows; statements and their parameters are {@link NamedSql}s. */
public final class Sql {

  private Sql() {}

  /** The instant of a nullable {@code timestamptz}. */
  public static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
