package io.e4j.server.internal.vault;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.KekSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * A resolved key-encryption key: either 32 key bytes, or a passphrase that becomes a key once
 * stretched with a wrap's salt.
 */
public final class Kek implements AutoCloseable {
  public static final int SIZE = 32;
  static final int SALT_SIZE = 16;

  private static final byte[] ID_LABEL = "e4j KEK id v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;
  private final char[] passphrase;
  private final Map<String, byte[]> stretched = new HashMap<>();

  private Kek(byte[] key, char[] passphrase) {
    this.key = key;
    this.passphrase = passphrase;
  }

  /** Reads the KEK from its source; every failure names the source, never the secret. */
  public static Kek resolve(KekSource source, Map<String, String> environment) {
    if (source instanceof KekSource.KeyFile file) {
      return fromBase64(readFile(file), "key file " + file.path());
    } else if (source instanceof KekSource.KeyEnvironment env) {
      return fromBase64(variable(environment, env.variable()), "$" + env.variable());
    } else if (source instanceof KekSource.PassphraseEnvironment env) {
      return fromPassphrase(variable(environment, env.variable()).toCharArray());
    } else if (source instanceof KekSource.Passphrase given) {
      return fromPassphrase(given.passphrase().clone());
    }
    throw new IllegalArgumentException("unknown KEK source " + source);
  }

  /** A KEK from raw key bytes (copied). */
  public static Kek ofKey(byte[] key) {
    if (key.length != SIZE) {
      throw new C2Exception(Reason.KEK, "a KEK is 32 bytes, got " + key.length);
    }
    return new Kek(key.clone(), null);
  }

  private static Kek fromPassphrase(char[] passphrase) {
    if (passphrase.length < 16) {
      throw new C2Exception(Reason.KEK, "the KEK passphrase must be at least 16 characters");
    }
    return new Kek(null, passphrase);
  }

  private static Kek fromBase64(String text, String where) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(text.strip());
    } catch (IllegalArgumentException e) {
      throw new C2Exception(Reason.KEK, "the KEK in " + where + " is not base64");
    }
    if (decoded.length != SIZE) {
      Arrays.fill(decoded, (byte) 0);
      throw new C2Exception(
          Reason.KEK, "the KEK in " + where + " must be 32 bytes, base64-encoded");
    }
    return new Kek(decoded, null);
  }

  private static String readFile(KekSource.KeyFile file) {
    try {
      return Files.readString(file.path(), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new C2Exception(Reason.KEK, "KEK file " + file.path() + " does not exist");
    } catch (IOException e) {
      throw new C2Exception(Reason.KEK, "cannot read KEK file " + file.path() + ": " + e);
    }
  }

  private static String variable(Map<String, String> environment, String name) {
    String value = environment.get(name);
    if (value == null || value.isBlank()) {
      throw new C2Exception(Reason.KEK, "environment variable " + name + " (the KEK) is not set");
    }
    return value;
  }

  public boolean isPassphrase() {
    return passphrase != null;
  }

  /** The key that opens (or makes) a wrap with this salt; {@code null} salt for plain keys. */
  synchronized byte[] keyFor(byte[] salt) {
    if (passphrase == null) {
      return key;
    }
    return stretched.computeIfAbsent(HexFormat.of().formatHex(salt), hex -> stretch(salt));
  }

  /** The public check value stored beside each wrap, to find the wrap this KEK opens. */
  static String idOf(byte[] kekKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(kekKey, "HmacSHA256"));
      return HexFormat.of().formatHex(Arrays.copyOf(mac.doFinal(ID_LABEL), 8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  private byte[] stretch(byte[] salt) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withIterations(3)
            .withMemoryAsKB(64 * 1024)
            .withParallelism(4)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[SIZE];
    generator.generateBytes(passphrase, out);
    return out;
  }

  @Override
  public synchronized void close() {
    if (key != null) {
      Arrays.fill(key, (byte) 0);
    }
    if (passphrase != null) {
      Arrays.fill(passphrase, '\0');
    }
    stretched.values().forEach(k -> Arrays.fill(k, (byte) 0));
    stretched.clear();
  }

  @Override
  public String toString() {
    return isPassphrase() ? "Kek[passphrase]" : "Kek[key]";
  }
}
