package io.e4j.server;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing in a stable order. Pass {@link #nextCursor()} to get the next one; it is
 * empty on the last page.
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
  public Page {
    items = List.copyOf(items);
  }
}
