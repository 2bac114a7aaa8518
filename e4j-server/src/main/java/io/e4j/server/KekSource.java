package io.e4j.server;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where C2 finds its key-encryption key (KEK), which wraps the data keys that seal every key in the
 * key store. The KEK itself is never stored in the database.
 */
public sealed interface KekSource {

  /** A file holding 32 random bytes in base64 (as {@code e4 server} generates it). */
  record KeyFile(Path path) implements KekSource {}

  /** An environment variable holding 32 random bytes in base64. */
  record KeyEnvironment(String variable) implements KekSource {}

  /**
   * A passphrase in an environment variable, stretched with Argon2id and a random salt that the
   * store keeps beside the wrapped data key.
   */
  record PassphraseEnvironment(String variable) implements KekSource {}

  /** A passphrase given directly (typed at a prompt). The caller may erase the array after use. */
  record Passphrase(char[] passphrase) implements KekSource {
    @Override
    public String toString() {
      return "Passphrase[hidden]";
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Passphrase that && Arrays.equals(passphrase, that.passphrase);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(passphrase);
    }
  }
}
