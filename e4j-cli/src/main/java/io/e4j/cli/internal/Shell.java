package io.e4j.cli.internal;

import java.util.regex.Pattern;

/** Command lines printed for the user to run, quoted as a POSIX shell reads them. */
public final class Shell {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

  private Shell() {}

  /** {@code word} as is when the shell reads it as one word, else in single quotes. */
  public static String quote(String word) {
    if (PLAIN.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
