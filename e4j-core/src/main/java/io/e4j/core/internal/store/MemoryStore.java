package io.e4j.core.internal.store;

import io.e4j.core.internal.crypto.Bytes;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Keeps the state in memory; a copy in, a copy out. */
public final class MemoryStore implements StateStore {
  private final AtomicReference<byte[]> state = new AtomicReference<>();

  @Override
  public Optional<byte[]> read() {
    byte[] current = state.get();
    return current == null ? Optional.empty() : Optional.of(current.clone());
  }

  @Override
  public void write(byte[] newState) {
    byte[] previous = state.getAndSet(newState.clone());
    Bytes.zero(previous);
  }

  @Override
  public String location() {
    return "memory";
  }

  @Override
  public String toString() {
    return "ClientStore[memory]";
  }
}
