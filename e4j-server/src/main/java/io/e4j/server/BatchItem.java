package io.e4j.server;

import java.util.Optional;

/**
 * The outcome of one item of a batch operation: each item is done or refused on its own.
 *
 * @param index the item's place in the request, from 0
 */
public record BatchItem<T>(int index, Optional<T> result, Optional<C2Exception> error) {
  public static <T> BatchItem<T> done(int index, T result) {
    return new BatchItem<>(index, Optional.of(result), Optional.empty());
  }

  public static <T> BatchItem<T> refused(int index, C2Exception error) {
    return new BatchItem<>(index, Optional.empty(), Optional.of(error));
  }

  public boolean succeeded() {
    return error.isEmpty();
  }
}
