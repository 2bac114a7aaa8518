package io.e4j.core;

import io.e4j.core.internal.store.FileStore;
import io.e4j.core.internal.store.MemoryStore;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a client's state (its identity and keys) lives between runs. {@link E4Client} writes the
 * whole state after every change, before the change takes effect, so a change that could not be
 * saved is not applied.
 *
 * <p>The state is an opaque, versioned, checksummed blob. Implement this interface to keep it
 * elsewhere (a database row, a secure element); an implementation must replace the blob atomically
 * and must not keep a reference to the array it is given.
 */
public interface ClientStore {
  /** The saved state, or empty when nothing was ever saved here. */
  Optional<byte[]> read();

  /** Replaces the saved state atomically: afterwards a read gives either the old or the new one. */
  void write(byte[] state);

  /** Where the state lives, for messages (e.g. the file's path). */
  String location();

  /** A store in this process's memory, lost when the process ends. */
  static ClientStore memory() {
    return new BuiltInStore(new MemoryStore());
  }

  /**
   * A file, replaced atomically on every change (written to a temporary file beside it, forced to
   * disk, renamed over it) and readable only by its owner where the file system allows.
   */
  static ClientStore file(Path path) {
    return new BuiltInStore(new FileStore(path));
  }
}
