package io.e4j.core.internal.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * Curve25519 for E4's public-key mode: X25519, the Ed25519 to Curve25519 key conversion and the
 * shared command key {@code SHA3-256(X25519(private, public))}.
 */
public final class Agreement {
  public static final int KEY_SIZE = 32;

  private static final BigInteger P =
      BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

  private Agreement() {}

  /** X25519 of a scalar and a u-coordinate; empty when the result is all zeros (a low-order u). */
  public static Optional<byte[]> x25519(byte[] privateKey, byte[] publicKey) {
    byte[] shared = new byte[KEY_SIZE];
    if (X25519.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0)) {
      return Optional.of(shared);
    }
    return Optional.empty();
  }

  /** X25519 without the all-zero check, as RFC 7748 defines the function itself. */
  public static byte[] x25519Raw(byte[] privateKey, byte[] publicKey) {
    byte[] shared = new byte[KEY_SIZE];
    X25519.scalarMult(privateKey, 0, publicKey, 0, shared, 0);
    return shared;
  }

  public static byte[] publicKey(byte[] privateKey) {
    byte[] publicKey = new byte[KEY_SIZE];
    X25519.scalarMultBase(privateKey, 0, publicKey, 0);
    return publicKey;
  }

  public static byte[] newPrivateKey(SecureRandom random) {
    byte[] privateKey = new byte[KEY_SIZE];
    X25519.generatePrivateKey(random, privateKey);
    return privateKey;
  }

  /** {@code SHA3-256(X25519(private, public))}; empty for a low-order public key. */
  public static Optional<byte[]> sharedKey(byte[] privateKey, byte[] publicKey) {
    return x25519(privateKey, publicKey)
        .map(
            point -> {
              byte[] key = Hashing.sha3(point);
              Bytes.zero(point);
              return key;
            });
  }

  /** The first 32 bytes of SHA-512(seed), clamped: the Curve25519 twin of an Ed25519 key. */
  public static byte[] curvePrivateFromEd25519(byte[] ed25519PrivateKey) {
    byte[] digest = Hashing.sha512(ed25519PrivateKey, 0, Signing.SEED_SIZE);
    byte[] privateKey = java.util.Arrays.copyOf(digest, KEY_SIZE);
    Bytes.zero(digest);
    X25519.clampPrivateKey(privateKey);
    return privateKey;
  }

  /**
   * The birational map {@code u = (1 + y) / (1 - y) mod p} from an Ed25519 public key; empty when
   * the key is not a valid point or maps to no usable u (y = 1).
   */
  public static Optional<byte[]> curvePublicFromEd25519(byte[] ed25519PublicKey) {
    if (ed25519PublicKey.length != Signing.PUBLIC_KEY_SIZE
        || Signing.decodePublicKey(ed25519PublicKey).isEmpty()) {
      return Optional.empty();
    }
    byte[] bigEndian = new byte[KEY_SIZE];
    for (int i = 0; i < KEY_SIZE; i++) {
      bigEndian[i] = ed25519PublicKey[KEY_SIZE - 1 - i];
    }
    bigEndian[0] &= 0x7f;
    BigInteger y = new BigInteger(1, bigEndian);
    BigInteger denominator = BigInteger.ONE.subtract(y).mod(P);
    if (denominator.signum() == 0) {
      return Optional.empty();
    }
    BigInteger u = BigInteger.ONE.add(y).multiply(denominator.modInverse(P)).mod(P);
    byte[] magnitude = u.toByteArray();
    byte[] out = new byte[KEY_SIZE];
    for (int i = 0; i < KEY_SIZE && i < magnitude.length; i++) {
      out[i] = magnitude[magnitude.length - 1 - i];
    }
    return Optional.of(out);
  }
}
