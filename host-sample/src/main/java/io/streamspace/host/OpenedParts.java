package io.streamspace.host;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start has opened, stopped in reverse order of opening: each feature's wiring opens its
 * parts here as it starts them, so a start that fails half-way stops exactly what had started.
 */
final class OpenedParts implements AutoCloseable {

  /** Host's logger: a part that fails to stop is reported as the host's, as it always was. */
  private static final Logger log = LoggerFactory.getLogger(Host.class);

  /** Closed from first to last: the most recently opened first. */
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Stopped before everything opened earlier. */
  synchronized <T extends AutoCloseable> T open(T part) {
    opened.add(0, part);
    return part;
  }

  /** Stopped after everything opened so far, e.g. what holds meters of a part opened earlier. */
  synchronized <T extends AutoCloseable> T openStoppedAfterTheRest(T part) {
    opened.add(part);
    return part;
  }

  /** Once: a second close (the JVM's exit after a close, or at once) finds nothing left. */
  @Override
  public synchronized void close() {
    for (AutoCloseable part : opened) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("Failed to stop {}", part.getClass().getSimpleName(), e);
      }
    }
    opened.clear();
  }
}
