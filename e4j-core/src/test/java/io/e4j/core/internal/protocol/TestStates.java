package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Agreement;
import io.e4j.core.internal.crypto.Hashing;
import io.e4j.core.internal.crypto.Signing;
import java.nio.charset.StandardCharsets;

/** Deterministic keys and device states for the protocol tests, built without the public API. */
final class TestStates {
  static final long NOW = 1_700_000_005L;
  static final String TOPIC = "sensors/temperature";
  static final Id16 TOPIC_HASH = Id16.of(Names.topicHash(TOPIC));

  private TestStates() {}

  /** 32 bytes derived from a label, so failures reproduce. */
  static byte[] key(String label) {
    return Hashing.sha3(label.getBytes(StandardCharsets.UTF_8));
  }

  static Id16 id(String name) {
    return Id16.of(Names.idFromName(name));
  }

  /** A symmetric-key device named {@code name}, holding {@code key("topic")} for {@link #TOPIC}. */
  static DeviceState symmetric(AesSiv siv, String name) {
    Id16 id = id(name);
    return DeviceState.symmetric(siv, id, Names.controlTopic(id.toBytes()), key("client/" + name))
        .withTopicKey(siv, TOPIC_HASH, key("topic"), NOW);
  }

  /** A public-key device named {@code name}, holding {@code key("topic")} for {@link #TOPIC}. */
  static DeviceState publicKey(AesSiv siv, String name) {
    Id16 id = id(name);
    return DeviceState.publicKey(
            siv,
            id,
            Names.controlTopic(id.toBytes()),
            signingKey(name),
            Agreement.publicKey(key("c2")))
        .withTopicKey(siv, TOPIC_HASH, key("topic"), NOW);
  }

  static byte[] signingKey(String name) {
    return Signing.privateKeyFromSeed(key("client/" + name));
  }
}
