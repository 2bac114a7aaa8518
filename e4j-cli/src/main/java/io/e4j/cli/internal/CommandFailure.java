package io.e4j.cli.internal;

/**
 * An operator command that cannot go on, with the sentence to show and the exit status: the user's
 * mistake or the server's refusal, never a bug, so it carries no stack trace.
 */
public final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CommandFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
