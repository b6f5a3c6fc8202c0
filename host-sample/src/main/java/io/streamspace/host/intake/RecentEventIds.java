package io.streamspace.host.intake;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Ids of events applied recently, bounded, oldest forgotten first. It only saves work on
 * redeliveries: plugins key their effects by natural keys, so an id that fell out of this set
 * still has no second effect.
 */
final class RecentEventIds {

  private final int capacity;
  private final LinkedHashSet<String> ids = new LinkedHashSet<>();

  RecentEventIds(int capacity) {
    this.capacity = capacity;
  }

  synchronized boolean contains(String id) {
    return ids.contains(id);
  }

  /** Remembers ids of a batch the plugins have durably stored. */
  synchronized void rememberAll(Collection<String> applied) {
    ids.addAll(applied);
    Iterator<String> oldest = ids.iterator();
    while (ids.size() > capacity && oldest.hasNext()) {
      oldest.next();
      oldest.remove();
    }
  }
}
