package io.e4j.core;

import io.e4j.core.E4Exception.Reason;
import io.e4j.core.internal.crypto.Agreement;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.PasswordKeys;
import io.e4j.core.internal.crypto.Signing;
import io.e4j.core.internal.protocol.Names;
import io.e4j.core.internal.protocol.ProtocolException;
import java.security.SecureRandom;

/**
 * E4's names and keys: topic hashes, device IDs, password-derived keys, Ed25519 and Curve25519 keys
 * and the public-key mode's shared key. Every method returns a fresh array the caller owns (and
 * should zero when it holds a secret).
 */
public final class Keys {
  /** Size of symmetric keys (client, topic and shared keys). */
  public static final int KEY_SIZE = 32;

  /** Size of device IDs and topic hashes. */
  public static final int ID_SIZE = 16;

  private Keys() {}

  /**
   * {@code SHA3-256(topic)[0..16)}.
   *
   * @throws E4Exception {@code INVALID_TOPIC} unless the topic is 1 to 512 bytes of UTF-8
   */
  public static byte[] topicHash(String topic) {
    try {
      return Names.topicHash(topic);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /**
   * A device ID from a human name: {@code SHA3-256(name)[0..16)}.
   *
   * @throws E4Exception {@code INVALID_ARGUMENT} unless the name is 1 to 255 bytes of UTF-8
   */
  public static byte[] idFromName(String name) {
    try {
      return Names.idFromName(name);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /** The control topic C2 sends a device's commands on: {@code "e4/"} and the ID in hex. */
  public static String controlTopic(byte[] id) {
    try {
      return Names.controlTopic(id);
    } catch (ProtocolException e) {
      throw E4Exception.of(e);
    }
  }

  /**
   * The symmetric client key for a password (Argon2i, PROTOCOL.md). Takes about a tenth of a second
   * and 64 MiB.
   *
   * @throws E4Exception {@code INVALID_KEY} for a password shorter than 16 UTF-8 bytes
   */
  public static byte[] symmetricKeyFromPassword(String password) {
    byte[] utf8 = passwordBytes(password);
    try {
      return PasswordKeys.argon2i(utf8);
    } finally {
      Bytes.zero(utf8);
    }
  }

  /** The 64-byte Ed25519 private key whose seed is the password's Argon2i output. */
  public static byte[] ed25519FromPassword(String password) {
    byte[] seed = symmetricKeyFromPassword(password);
    try {
      return Signing.privateKeyFromSeed(seed);
    } finally {
      Bytes.zero(seed);
    }
  }

  /** The public half of a 64-byte Ed25519 private key, checked against its seed. */
  public static byte[] ed25519Public(byte[] ed25519Private64) {
    checkEd25519Private(ed25519Private64);
    return java.util.Arrays.copyOfRange(ed25519Private64, 32, 64);
  }

  /**
   * The Curve25519 public key of an Ed25519 public key (u = (1 + y) / (1 - y)).
   *
   * @throws E4Exception {@code INVALID_KEY} when the input is not a valid Ed25519 point
   */
  public static byte[] curve25519Public(byte[] ed25519Public) {
    checkSize("Ed25519 public key", ed25519Public, 32);
    return Agreement.curvePublicFromEd25519(ed25519Public)
        .orElseThrow(() -> new E4Exception(Reason.INVALID_KEY, "not a valid Ed25519 public key"));
  }

  /** The Curve25519 private key of an Ed25519 private key: SHA-512(seed)[0..32), clamped. */
  public static byte[] curve25519Private(byte[] ed25519Private64) {
    checkEd25519Private(ed25519Private64);
    return Agreement.curvePrivateFromEd25519(ed25519Private64);
  }

  /** The X25519 public key of a Curve25519 private key. */
  public static byte[] curve25519PublicFromPrivate(byte[] curve25519Private) {
    checkSize("Curve25519 private key", curve25519Private, KEY_SIZE);
    return Agreement.publicKey(curve25519Private);
  }

  /**
   * The shared key of public-key mode: {@code SHA3-256(X25519(own private, peer public))}.
   *
   * @throws E4Exception {@code INVALID_KEY} when the peer key has low order (all-zero result)
   */
  public static byte[] sharedKey(byte[] ownCurvePrivate, byte[] peerCurvePublic) {
    checkSize("Curve25519 private key", ownCurvePrivate, KEY_SIZE);
    checkSize("Curve25519 public key", peerCurvePublic, KEY_SIZE);
    return Agreement.sharedKey(ownCurvePrivate, peerCurvePublic)
        .orElseThrow(
            () ->
                new E4Exception(
                    Reason.INVALID_KEY, "the Curve25519 public key has low order (no shared key)"));
  }

  /** 32 random bytes from a {@link SecureRandom}: a new client or topic key. */
  public static byte[] randomKey() {
    byte[] key = new byte[KEY_SIZE];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** A new 64-byte Ed25519 private key (seed || public key). */
  public static byte[] newEd25519() {
    return Signing.newPrivateKey(new SecureRandom());
  }

  /** A new Curve25519 private key; its public key is {@link #curve25519PublicFromPrivate}. */
  public static byte[] newCurve25519() {
    return Agreement.newPrivateKey(new SecureRandom());
  }

  static byte[] passwordBytes(String password) {
    if (password == null) {
      throw new E4Exception(Reason.INVALID_KEY, "password is null");
    }
    byte[] utf8 =
        PasswordKeys.utf8(password)
            .orElseThrow(() -> new E4Exception(Reason.INVALID_KEY, "password is not valid UTF-8"));
    if (utf8.length < PasswordKeys.MIN_PASSWORD_BYTES) {
      Bytes.zero(utf8);
      throw new E4Exception(
          Reason.INVALID_KEY,
          "a password is at least " + PasswordKeys.MIN_PASSWORD_BYTES + " UTF-8 bytes");
    }
    return utf8;
  }

  static void checkEd25519Private(byte[] ed25519Private64) {
    checkSize("Ed25519 private key", ed25519Private64, 64);
    if (!Signing.isConsistent(ed25519Private64)) {
      throw new E4Exception(
          Reason.INVALID_KEY, "the Ed25519 private key's public half does not match its seed");
    }
  }

  static void checkSize(String what, byte[] key, int size) {
    if (key == null || key.length != size) {
      throw new E4Exception(
          Reason.INVALID_KEY,
          what + " must be " + size + " bytes, got " + (key == null ? "null" : key.length));
    }
  }
}
