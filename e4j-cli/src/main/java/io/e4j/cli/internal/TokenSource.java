package io.e4j.cli.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the API token comes from; never shows the token itself. */
public sealed interface TokenSource {

  /** The token, without surrounding whitespace. */
  String read();

  /** A file holding the token, read at each call. */
  record TokenFile(Path file) implements TokenSource {
    @Override
    public String read() {
      String token;
      try {
        token = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new CommandFailure(
            ExitCodes.NOT_ALLOWED, "cannot read the token file " + file + ": " + e.getMessage());
      }
      if (token.isEmpty()) {
        throw new CommandFailure(ExitCodes.NOT_ALLOWED, "the token file " + file + " is empty");
      }
      return token;
    }
  }

  /** A token given in an environment variable. */
  final class FromEnvironment implements TokenSource {
    private final String variable;
    private final String token;

    public FromEnvironment(String variable, String token) {
      this.variable = variable;
      this.token = token.strip();
    }

    @Override
    public String read() {
      if (token.isEmpty()) {
        throw new CommandFailure(ExitCodes.NOT_ALLOWED, variable + " is empty");
      }
      return token;
    }

    @Override
    public String toString() {
      return "the token in " + variable;
    }
  }
}
