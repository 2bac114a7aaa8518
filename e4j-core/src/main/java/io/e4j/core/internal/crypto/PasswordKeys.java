package io.e4j.core.internal.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * E4's password to key: Argon2i v1.3, 1 pass, 64 MiB, 4 lanes, an empty salt, 32 bytes. (The
 * reference code uses Argon2i, not the Argon2id its prose names; the bytes decide.)
 */
public final class PasswordKeys {
  public static final int MIN_PASSWORD_BYTES = 16;

  private PasswordKeys() {}

  /** The password's UTF-8 bytes, or empty when it cannot be encoded (a lone surrogate). */
  public static Optional<byte[]> utf8(String password) {
    try {
      ByteBuffer encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(password));
      byte[] bytes = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
      Arrays.fill(encoded.array(), (byte) 0);
      return Optional.of(bytes);
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  public static byte[] argon2i(byte[] password) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_i)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withIterations(1)
            .withMemoryAsKB(65536)
            .withParallelism(4)
            .withSalt(new byte[0])
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[32];
    generator.generateBytes(password, out);
    return out;
  }
}
