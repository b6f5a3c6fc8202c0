package io.streamspace.billing.db;

import io.streamspace.common.db.RangeIndex;
import java.util.List;

/**
 * The usage records' two BRIN indexes (V98), each checked with a count no record meets ({@link
 * RangeIndex}): the rating run's, which finds a roll-up step's runs and the reads' tail, and the
 * slice start's, which finds an hour's records for a report over every organization.
 */
public final class UsageRecordIndexes {

  /** The index on {@code rating_run}: runs are numbered from 1. */
  public static final RangeIndex RUN =
      new RangeIndex("billing_usage_records", "billing_usage_records_run_brin", "rating_run < 0");

  /** The index on {@code slice_start}. */
  public static final RangeIndex SLICE_START =
      new RangeIndex(
          "billing_usage_records",
          "billing_usage_records_slice_start",
          "slice_start < '-infinity'");

  public static final List<RangeIndex> ALL = List.of(RUN, SLICE_START);

  private UsageRecordIndexes() {}
}
