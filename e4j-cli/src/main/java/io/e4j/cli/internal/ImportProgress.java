package io.e4j.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * How far an import of a CSV file got, kept next to it ({@code devices.csv.e4progress}) after each
 * batch C2 answered, so that running the import again after an interruption starts after the last
 * line done instead of creating devices twice.
 *
 * @param linesDone every line up to this one (the header is line 1) was sent and answered, or
 *     reported as bad
 * @param sha256 the SHA-256 of those lines, each ended by a line feed: a file edited since is not
 *     resumed
 * @param created devices created so far
 * @param failed lines failed so far
 * @param sentThrough when a batch was sent and its answer not yet recorded: its last line, whose
 *     devices C2 may have created without the import knowing; 0 otherwise
 */
public record ImportProgress(
    int linesDone, String sha256, long created, long failed, int sentThrough) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static Path fileFor(Path csv) {
    return csv.toAbsolutePath().resolveSibling(csv.getFileName() + ".e4progress");
  }

  public static Optional<ImportProgress> read(Path file) {
    try {
      return Optional.of(JSON.readValue(Files.readString(file), ImportProgress.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (JsonProcessingException e) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          file
              + " is not an import progress file ("
              + e.getOriginalMessage()
              + ");"
              + " remove it or use --restart");
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.FAILED, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** This progress, with the batch that ends at {@code lastLine} sent. */
  public ImportProgress sending(int lastLine) {
    return new ImportProgress(linesDone, sha256, created, failed, lastLine);
  }

  /** Replaces {@code file} atomically: an interruption leaves the previous progress or this one. */
  public void write(Path file) {
    try {
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      try (FileChannel channel =
          FileChannel.open(
              temporary,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        channel.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(this)));
        channel.force(true);
      }
      try {
        Files.move(
            temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          "cannot record the import's progress in " + file + ": " + e.getMessage());
    }
  }
}
