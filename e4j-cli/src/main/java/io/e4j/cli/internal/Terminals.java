package io.e4j.cli.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the process writes to a person's terminal. */
public final class Terminals {
  private Terminals() {}

  /**
   * Whether standard error is a terminal. Java 17 tells only whether standard input and output both
   * are ({@code System.console()}); on Linux, /proc says where descriptor 2 goes.
   */
  public static boolean standardErrorIsTerminal() {
    Path descriptor = Path.of("/proc/self/fd/2");
    if (Files.exists(descriptor)) {
      try {
        String target = Files.readSymbolicLink(descriptor).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    return System.console() != null;
  }
}
