package io.e4j.core.internal.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The hashes E4 uses: SHA3-256 everywhere, SHA-512 inside the Ed25519 to Curve25519 map. */
public final class Hashing {
  private Hashing() {}

  public static byte[] sha3(byte[] data) {
    return digest("SHA3-256").digest(data);
  }

  /** The first 16 bytes of SHA3-256: topic hashes and IDs from names. */
  public static byte[] sha3Truncated16(byte[] data) {
    byte[] full = sha3(data);
    byte[] out = java.util.Arrays.copyOf(full, 16);
    Bytes.zero(full);
    return out;
  }

  /**
   * {@code SHA3-256(ASCII label || 0x00 || inputs...)}: a hash of its own for each purpose, so that
   * one key gives unrelated values for different uses (labels hold no 0x00, so no two purposes
   * share an input).
   */
  public static byte[] labelled(String label, byte[]... inputs) {
    MessageDigest digest = digest("SHA3-256");
    digest.update(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    digest.update((byte) 0);
    for (byte[] input : inputs) {
      digest.update(input);
    }
    return digest.digest();
  }

  public static byte[] sha512(byte[] data, int off, int len) {
    MessageDigest digest = digest("SHA-512");
    digest.update(data, off, len);
    return digest.digest();
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + algorithm, e);
    }
  }
}
