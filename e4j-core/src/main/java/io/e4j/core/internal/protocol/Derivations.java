package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Hashing;
import java.util.Arrays;
import java.util.Base64;

/**
 * What e4j derives from a device's keys beyond E4 (docs/key-reports.md): the key report key, the
 * broker password and the key fingerprints. Each is {@code SHA3-256(label || 0x00 || input)} with a
 * label of its own, so none tells anything about another or about the key itself.
 */
public final class Derivations {
  static final String REPORT_KEY = "e4j key report v1";
  static final String BROKER_PASSWORD = "e4j broker password v1";
  static final String CLIENT_KEY_FINGERPRINT = "e4j client key fingerprint v1";
  static final String SIGNING_KEY_FINGERPRINT = "e4j signing key fingerprint v1";
  static final String C2_KEY_FINGERPRINT = "e4j c2 key fingerprint v1";
  static final String TOPIC_KEY_FINGERPRINT = "e4j topic key fingerprint v1";

  /** Size of every fingerprint. */
  public static final int FINGERPRINT = 16;

  private Derivations() {}

  /** The 32-byte key a device's key reports are sealed with, from its 32-byte command key. */
  public static byte[] reportKey(byte[] commandKey) {
    return Hashing.labelled(REPORT_KEY, checked(commandKey, Wire.KEY, "command key"));
  }

  /** The device's MQTT password: 43 characters of base64url, no padding. */
  public static String brokerPassword(byte[] commandKey) {
    byte[] hash = Hashing.labelled(BROKER_PASSWORD, checked(commandKey, Wire.KEY, "command key"));
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } finally {
      Bytes.zero(hash);
    }
  }

  /** Of a symmetric-key device's client key. */
  public static byte[] clientKeyFingerprint(byte[] clientKey) {
    return truncated(
        Hashing.labelled(CLIENT_KEY_FINGERPRINT, checked(clientKey, Wire.KEY, "client key")));
  }

  /** Of a public-key device's Ed25519 public key. */
  public static byte[] signingKeyFingerprint(byte[] ed25519Public) {
    return truncated(
        Hashing.labelled(
            SIGNING_KEY_FINGERPRINT, checked(ed25519Public, Wire.KEY, "Ed25519 public key")));
  }

  /** Of C2's Curve25519 public key, as a public-key device holds it. */
  public static byte[] c2KeyFingerprint(byte[] c2Public) {
    return truncated(
        Hashing.labelled(C2_KEY_FINGERPRINT, checked(c2Public, Wire.KEY, "C2 public key")));
  }

  /** Of a topic key, bound to its topic: equal keys of two topics give unrelated fingerprints. */
  public static byte[] topicKeyFingerprint(byte[] topicHash, byte[] topicKey) {
    return truncated(
        Hashing.labelled(
            TOPIC_KEY_FINGERPRINT,
            checkedHash(topicHash),
            checked(topicKey, Wire.KEY, "topic key")));
  }

  private static byte[] truncated(byte[] hash) {
    byte[] fingerprint = Arrays.copyOf(hash, FINGERPRINT);
    Bytes.zero(hash);
    return fingerprint;
  }

  private static byte[] checkedHash(byte[] topicHash) {
    if (topicHash == null || topicHash.length != Wire.ID) {
      throw new ProtocolException(
          Refusal.INVALID_ARGUMENT,
          "a topic hash is 16 bytes, got " + (topicHash == null ? "null" : topicHash.length));
    }
    return topicHash;
  }

  private static byte[] checked(byte[] value, int size, String what) {
    if (value == null || value.length != size) {
      throw new ProtocolException(
          Refusal.INVALID_KEY,
          what + " must be " + size + " bytes, got " + (value == null ? "null" : value.length));
    }
    return value;
  }
}
