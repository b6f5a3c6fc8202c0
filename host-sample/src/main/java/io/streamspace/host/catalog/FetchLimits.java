package io.streamspace.host.catalog;

import java.time.Duration;

/**
 * How long the host waits for a repository's whole answer (headers and body: a server that stops
 * writing mid-body fails the fetch instead of holding the thread, which may be the state watch
 * every other node's changes wait on) and how many bytes it takes (a repository cannot fill the
 * plugins folder's disk).
 */
record FetchLimits(
    Duration indexDeadline, long indexMaxBytes, Duration downloadDeadline, long downloadMaxBytes) {

  /**
   * An index of hundreds of plugins is tens of KiB: 4 MiB and 30 s are far above any real one and
   * short enough for the catalog page an admin waits on. A plugin zip (billing's is a few MiB) of
   * up to 256 MiB, fetched at 1 MiB/s, takes about 4 minutes: 5 minutes.
   */
  static final FetchLimits DEFAULT =
      new FetchLimits(Duration.ofSeconds(30), 4L << 20, Duration.ofMinutes(5), 256L << 20);
}
