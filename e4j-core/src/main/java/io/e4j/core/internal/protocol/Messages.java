package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Signing;
import io.e4j.core.internal.crypto.SivKey;

/** Builds and opens the two protected-message layouts of PROTOCOL.md. */
public final class Messages {
  private Messages() {}

  /**
   * {@code timestamp (8) || tag (16) || ciphertext}, the AES-SIV associated data being the
   * timestamp.
   */
  public static byte[] protectSymmetric(AesSiv siv, SivKey key, long timestamp, byte[] payload) {
    byte[] out = new byte[Wire.SK_OVERHEAD + payload.length];
    Bytes.putLong(out, 0, timestamp);
    siv.seal(key, out, 0, Wire.TIMESTAMP, payload, 0, payload.length, out, Wire.SK_TAG_OFFSET);
    return out;
  }

  /**
   * {@code timestamp || sender ID || tag || ciphertext || signature}, the signature covering
   * everything before it.
   */
  public static byte[] protectSigned(
      AesSiv siv, SivKey key, long timestamp, Id16 sender, byte[] signingKey, byte[] payload) {
    int signedLength = Wire.PK_OVERHEAD - Wire.SIGNATURE + payload.length;
    byte[] out = new byte[signedLength + Wire.SIGNATURE];
    Bytes.putLong(out, 0, timestamp);
    sender.writeTo(out, Wire.PK_SENDER_OFFSET);
    siv.seal(key, out, 0, Wire.TIMESTAMP, payload, 0, payload.length, out, Wire.PK_TAG_OFFSET);
    Signing.sign(signingKey, out, 0, signedLength, out, signedLength);
    return out;
  }

  /**
   * Decrypts the ciphertext after the tag at {@code tagOffset} into {@code payload} (as long as the
   * ciphertext) and checks the tag, the timestamp being the associated data. False when it does not
   * authenticate.
   */
  public static boolean open(
      AesSiv siv, SivKey key, byte[] message, int tagOffset, byte[] payload) {
    return siv.open(
        key, message, 0, Wire.TIMESTAMP, message, tagOffset, payload.length, payload, 0);
  }
}
