package io.e4j.core.internal.crypto;

import java.security.SecureRandom;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032, pure) on Bouncy Castle's low-level API. Private keys are the 64-byte Go/NaCl
 * form, seed (32) || public key (32).
 */
public final class Signing {
  public static final int PUBLIC_KEY_SIZE = 32;
  public static final int PRIVATE_KEY_SIZE = 64;
  public static final int SEED_SIZE = 32;
  public static final int SIGNATURE_SIZE = 64;

  private Signing() {}

  /** The 64-byte private key for a 32-byte seed. */
  public static byte[] privateKeyFromSeed(byte[] seed) {
    byte[] privateKey = new byte[PRIVATE_KEY_SIZE];
    System.arraycopy(seed, 0, privateKey, 0, SEED_SIZE);
    Ed25519.generatePublicKey(seed, 0, privateKey, SEED_SIZE);
    return privateKey;
  }

  public static byte[] newPrivateKey(SecureRandom random) {
    byte[] seed = new byte[SEED_SIZE];
    random.nextBytes(seed);
    byte[] privateKey = privateKeyFromSeed(seed);
    Bytes.zero(seed);
    return privateKey;
  }

  /** True when the public half of a 64-byte private key is the one its seed gives. */
  public static boolean isConsistent(byte[] privateKey) {
    byte[] expected = new byte[PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(privateKey, 0, expected, 0);
    return Bytes.constantTimeEquals(expected, 0, privateKey, SEED_SIZE, PUBLIC_KEY_SIZE);
  }

  /** A decoded public key, ready for fast repeated verification. */
  public static Optional<Ed25519.PublicPoint> decodePublicKey(byte[] publicKey) {
    return Optional.ofNullable(Ed25519.validatePublicKeyFullExport(publicKey, 0));
  }

  public static void sign(
      byte[] privateKey, byte[] message, int off, int len, byte[] signature, int sigOff) {
    Ed25519.sign(privateKey, 0, privateKey, SEED_SIZE, message, off, len, signature, sigOff);
  }

  public static boolean verify(
      Ed25519.PublicPoint publicKey, byte[] message, int off, int len, byte[] sig, int sigOff) {
    return Ed25519.verify(sig, sigOff, publicKey, message, off, len);
  }

  /** Verification from the encoded public key, as RFC 8032 states it. */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    return signature.length == SIGNATURE_SIZE
        && publicKey.length == PUBLIC_KEY_SIZE
        && Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
  }
}
