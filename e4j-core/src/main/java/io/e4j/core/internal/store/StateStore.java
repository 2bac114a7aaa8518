package io.e4j.core.internal.store;

import java.util.Optional;

/**
 * Where a built-in store keeps a client's saved state. The public {@code ClientStore} has the same
 * three operations; its factories wrap these stores, so the internals need not implement the public
 * interface.
 */
public interface StateStore {
  /** The saved state, or empty when nothing was ever saved here. */
  Optional<byte[]> read();

  /** Replaces the saved state atomically; the array is copied, not kept. */
  void write(byte[] state);

  /** Where the state lives, for messages. */
  String location();
}
