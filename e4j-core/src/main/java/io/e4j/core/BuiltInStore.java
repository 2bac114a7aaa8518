package io.e4j.core;

import io.e4j.core.internal.protocol.ProtocolException;
import io.e4j.core.internal.store.StateStore;
import java.util.Optional;

/**
 * {@link ClientStore#file} and {@link ClientStore#memory}: an internal store, its refusals made
 * public.
 */
final class BuiltInStore implements ClientStore {
  private final StateStore store;

  BuiltInStore(StateStore store) {
    this.store = store;
  }

  @Override
  public Optional<byte[]> read() {
    try {
      return store.read();
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  @Override
  public void write(byte[] state) {
    try {
      store.write(state);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  @Override
  public String location() {
    return store.location();
  }

  @Override
  public String toString() {
    return store.toString();
  }
}
