package io.e4j.cli.internal;

import io.e4j.core.ClientStore;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * A device state file written before C2 is asked to create the device, and moved into place once C2
 * has it: first as {@code .NAME.provisioning} beside its destination (owner-only from its first
 * instant, as the state store writes it), after a probe that proves the directory writable. A
 * failure before C2 answers deletes it; after C2 created the device only the move can fail, and
 * then the keys are still in that file, which the message names.
 */
public final class StagedStateFile {
  private final Path destination;
  private final Path staging;
  private final boolean replace;

  private StagedStateFile(Path destination, Path staging, boolean replace) {
    this.destination = destination;
    this.staging = staging;
    this.replace = replace;
  }

  /**
   * Checks {@code destination} and creates the staging file beside it.
   *
   * @param replace whether an existing file at {@code destination} may be replaced
   */
  public static StagedStateFile prepare(Path destination, boolean replace) {
    Path absolute = destination.toAbsolutePath().normalize();
    Path directory = absolute.getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          "cannot write " + destination + ": the directory " + directory + " does not exist");
    }
    if (Files.isDirectory(absolute)) {
      throw new CommandFailure(ExitCodes.FAILED, destination + " is a directory");
    }
    if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !replace) {
      throw new CommandFailure(
          ExitCodes.ALREADY_EXISTS, destination + " exists already; --force replaces it");
    }
    Path staging = directory.resolve("." + absolute.getFileName() + ".provisioning");
    try {
      // Proves the directory writable; the device's state is written there afresh.
      try (SeekableByteChannel probe =
          Files.newByteChannel(
              staging,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              OwnerOnlyFiles.attributes())) {
        probe.position(0);
      }
      Files.delete(staging);
    } catch (FileAlreadyExistsException e) {
      throw new CommandFailure(
          ExitCodes.FAILED,
          staging
              + " exists: an earlier provisioning of "
              + destination
              + " did not finish, and that file may hold a device's keys; move it to "
              + destination
              + " or delete it, then try again");
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.FAILED, "cannot write in " + directory + ": " + e.getMessage());
    }
    return new StagedStateFile(destination, staging, replace);
  }

  /** Where the device's state is written until {@link #commit}. */
  public ClientStore store() {
    return ClientStore.file(staging);
  }

  public Path staging() {
    return staging;
  }

  /** Moves the staged state into place. */
  public void commit(String whatC2Did, String howToUndo) {
    try {
      if (replace) {
        Files.move(
            staging,
            destination,
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(staging, destination);
      }
    } catch (FileAlreadyExistsException e) {
      throw afterC2(whatC2Did, howToUndo, "it exists already");
    } catch (IOException e) {
      throw afterC2(whatC2Did, howToUndo, e.getMessage());
    }
  }

  private CommandFailure afterC2(String whatC2Did, String howToUndo, String why) {
    return new CommandFailure(
        ExitCodes.FAILED,
        whatC2Did
            + ", but its state file could not be put at "
            + destination
            + " ("
            + why
            + "). The device's keys are in "
            + staging
            + " (owner-only): move it there yourself (mv "
            + Shell.quote(staging.toString())
            + " "
            + Shell.quote(destination.toString())
            + "), or "
            + howToUndo
            + " and provision it again");
  }

  /** Deletes the staged state: C2 did not create the device. */
  public void discard() {
    try {
      Files.deleteIfExists(staging);
      Files.deleteIfExists(staging.resolveSibling("." + staging.getFileName() + ".tmp"));
    } catch (IOException e) {
      // Nothing was created in C2; a left-over file holds keys no one else knows.
    }
  }
}
