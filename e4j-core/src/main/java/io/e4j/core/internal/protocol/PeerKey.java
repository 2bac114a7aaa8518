package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.Signing;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Another device's Ed25519 public key, decoded once for fast verification. */
public record PeerKey(byte[] publicKey, Ed25519.PublicPoint point) {
  /** Empty when the bytes are not a valid Ed25519 public key. */
  public static Optional<PeerKey> of(byte[] publicKey) {
    if (publicKey.length != Signing.PUBLIC_KEY_SIZE) {
      return Optional.empty();
    }
    byte[] copy = publicKey.clone();
    return Signing.decodePublicKey(copy).map(point -> new PeerKey(copy, point));
  }

  /** The key, or {@code INVALID_KEY} when the bytes are not a valid Ed25519 public key. */
  public static PeerKey checked(byte[] publicKey) {
    return of(publicKey)
        .orElseThrow(
            () -> new ProtocolException(Refusal.INVALID_KEY, "not a valid Ed25519 public key"));
  }

  public byte[] publicKeyBytes() {
    return publicKey.clone();
  }
}
