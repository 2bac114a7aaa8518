package io.e4j.core;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** Deterministic keys and ready-made clients for tests. */
final class TestDevices {
  static final long NOW = 1_700_000_005L;
  static final String TOPIC = "sensors/temperature";

  private TestDevices() {}

  /** 32 bytes derived from a label, so failures reproduce. */
  static byte[] key(String label) {
    return io.e4j.core.internal.crypto.Hashing.sha3(label.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] ed25519(String label) {
    return io.e4j.core.internal.crypto.Signing.privateKeyFromSeed(key(label));
  }

  static byte[] c2PublicKey() {
    return Keys.curve25519PublicFromPrivate(c2PrivateKey());
  }

  static byte[] c2PrivateKey() {
    return key("c2");
  }

  static E4Client.Builder symmetric(String name, Clock clock) {
    return E4Client.builder().name(name).key(key("client/" + name)).clock(clock);
  }

  static E4Client.Builder publicKey(String name, Clock clock) {
    return E4Client.builder()
        .name(name)
        .signingKey(ed25519("client/" + name))
        .c2PublicKey(c2PublicKey())
        .clock(clock);
  }

  /** The key C2 protects this public-key device's commands with. */
  static byte[] publicKeyCommandKey(String name) {
    byte[] devicePublic = Keys.curve25519Public(Keys.ed25519Public(ed25519("client/" + name)));
    return Keys.sharedKey(c2PrivateKey(), devicePublic);
  }
}
