package io.e4j.core.internal.store;

import io.e4j.core.internal.protocol.ProtocolException;
import io.e4j.core.internal.protocol.Refusal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A state file replaced atomically: the new state goes to {@code .NAME.tmp} beside it, is forced to
 * disk, then renamed over the file, and the directory is forced so the rename survives a power cut.
 * A crash at any instant leaves the old file or the new one, never a mix.
 */
public final class FileStore implements StateStore {
  private final Path path;
  private final Path temporary;

  public FileStore(Path path) {
    this.path = path.toAbsolutePath();
    this.temporary = this.path.resolveSibling("." + this.path.getFileName() + ".tmp");
  }

  @Override
  public Optional<byte[]> read() {
    try {
      return Optional.of(Files.readAllBytes(path));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ProtocolException(
          Refusal.STORAGE, "cannot read state file " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void write(byte[] state) {
    try {
      Path directory = path.getParent();
      Files.createDirectories(directory);
      Files.deleteIfExists(temporary);
      try (FileChannel channel =
          FileChannel.open(
              temporary,
              java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              ownerOnly())) {
        ByteBuffer buffer = ByteBuffer.wrap(state);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      move();
      forceDirectory(directory);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // The write already failed; that is the error worth reporting.
      }
      throw new ProtocolException(
          Refusal.STORAGE, "cannot write state file " + path + ": " + e.getMessage(), e);
    }
  }

  private void move() throws IOException {
    try {
      Files.move(
          temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system cannot rename atomically", e);
    }
  }

  private static void forceDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; the rename itself is still atomic.
    }
  }

  private static FileAttribute<?>[] ownerOnly() {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
      };
    }
    return new FileAttribute<?>[0];
  }

  @Override
  public String location() {
    return path.toString();
  }

  @Override
  public String toString() {
    return "ClientStore[" + path + "]";
  }
}
