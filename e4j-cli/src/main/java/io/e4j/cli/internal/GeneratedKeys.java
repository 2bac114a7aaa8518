package io.e4j.cli.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Set;

/**
 * The keys C2 generated during an import, as CSV ({@code name,id,key}, the key in hex), in a file
 * readable by its owner only. Each batch's keys reach the disk before the import records the batch
 * as done, so that no key C2 generated is lost to an interruption.
 */
public final class GeneratedKeys implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final StringBuilder pending = new StringBuilder();

  private GeneratedKeys(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /**
   * Creates {@code file}, or appends to it when an interrupted import resumes; never overwrites
   * keys a previous import wrote.
   */
  public static GeneratedKeys open(Path file, boolean resuming) {
    try {
      if (resuming && Files.exists(file)) {
        return new GeneratedKeys(
            file, FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
      }
      FileChannel channel =
          FileChannel.open(
              file,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              OwnerOnlyFiles.attributes());
      GeneratedKeys keys = new GeneratedKeys(file, channel);
      keys.pending.append("name,id,key\n");
      return keys;
    } catch (FileAlreadyExistsException e) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          file + " exists already (keys of an earlier import?); choose another --keys-out file");
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot create " + file + ": " + e.getMessage());
    }
  }

  public void add(String name, String id, byte[] key) {
    pending
        .append(quoted(name))
        .append(',')
        .append(id)
        .append(',')
        .append(HexFormat.of().formatHex(key))
        .append('\n');
  }

  /** Writes the keys added so far and waits until they are on the disk. */
  public void sync() {
    try {
      ByteBuffer bytes = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
      pending.setLength(0);
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          "cannot write the generated keys to "
              + file
              + ": "
              + e.getMessage()
              + "; C2 holds those devices with keys that are now lost: re-key them with"
              + " e4 devices create NAME --replace --generate");
    }
  }

  private static String quoted(String field) {
    if (field.contains(",")
        || field.contains("\"")
        || field.startsWith(" ")
        || field.endsWith(" ")) {
      return '"' + field.replace("\"", "\"\"") + '"';
    }
    return field;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot close " + file + ": " + e.getMessage());
    }
  }
}
