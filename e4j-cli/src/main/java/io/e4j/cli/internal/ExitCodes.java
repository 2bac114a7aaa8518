package io.e4j.cli.internal;

import io.grpc.Status;
import java.util.List;

/** The exit status of every {@code e4} command, as the top-level help documents it. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int NOT_FOUND = 3;
  public static final int ALREADY_EXISTS = 4;
  public static final int NOT_ALLOWED = 5;
  public static final int UNREACHABLE = 6;

  /** The lines of the help's footer that explain them. */
  public static final List<String> HELP =
      List.of(
          "Exit status:",
          "  0  ok",
          "  1  the operation was refused or failed (and, for an import, any line failed)",
          "  2  usage error: unknown command, missing or invalid option",
          "  3  not found (device, topic, link, token)",
          "  4  already exists",
          "  5  not logged in, unauthenticated or permission denied",
          "  6  server unreachable, or its TLS certificate is not the pinned one");

  private ExitCodes() {}

  /** The exit status for a call that ended with {@code code}. */
  public static int of(Status.Code code) {
    return switch (code) {
      case OK -> OK;
      case NOT_FOUND -> NOT_FOUND;
      case ALREADY_EXISTS -> ALREADY_EXISTS;
      case UNAUTHENTICATED, PERMISSION_DENIED -> NOT_ALLOWED;
      case UNAVAILABLE, DEADLINE_EXCEEDED -> UNREACHABLE;
      default -> FAILED;
    };
  }
}
