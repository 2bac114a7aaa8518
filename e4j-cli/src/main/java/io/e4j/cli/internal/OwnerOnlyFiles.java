package io.e4j.cli.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files and directories created readable by their owner only from their first instant. */
public final class OwnerOnlyFiles {
  private OwnerOnlyFiles() {}

  public static FileAttribute<?>[] attributes() {
    return permissions("rw-------");
  }

  public static void createDirectories(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(directory, permissions("rwx------"));
    }
  }

  /** Whether users other than the owner may read {@code file} (false where there is no POSIX). */
  public static boolean readableByOthers(Path file) throws IOException {
    if (!posix()) {
      return false;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    return permissions.contains(PosixFilePermission.GROUP_READ)
        || permissions.contains(PosixFilePermission.OTHERS_READ);
  }

  private static FileAttribute<?>[] permissions(String permissions) {
    if (!posix()) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
    };
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
