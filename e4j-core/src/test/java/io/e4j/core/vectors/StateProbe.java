package io.e4j.core.vectors;

import static io.e4j.core.vectors.VectorFiles.hex;
import static io.e4j.core.vectors.VectorFiles.unhex;
import static io.e4j.core.vectors.VectorFiles.unprotected;
import static io.e4j.core.vectors.VectorFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.E4Client.Mode;
import io.e4j.core.Keys;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a client against an {@link StateView} through what the public API lets anyone observe: its
 * identity, the topic hashes and peer IDs it lists, and, for every key, that it works — the
 * client's messages open under the expected topic key, a message under a replaced key still opens
 * during the transition, each peer's signature verifies, and a command under the expected command
 * key is applied.
 *
 * <p>The probes send messages and one command, so call this once per client, last: the client then
 * also holds a probe topic, and its newest command is dated at the clock.
 */
final class StateProbe {
  private static final String PROBE_TOPIC = "e4j/vector-probe";
  private static final String ABSENT_TOPIC = "e4j/vector-probe/absent";
  private static final byte[] PAYLOAD = utf8("probe");

  private final E4Client client;
  private final Clock clock;
  private final StateView expected;
  private final String description;

  private StateProbe(E4Client client, Clock clock, StateView expected, String description) {
    this.client = client;
    this.clock = clock;
    this.expected = expected;
    this.description = description;
  }

  /**
   * Asserts that {@code client}, whose clock is {@code clock}, is in the {@code expected} state.
   */
  static void assertState(E4Client client, Clock clock, StateView expected, String description) {
    StateProbe probe = new StateProbe(client, clock, expected, description);
    probe.identity();
    probe.currentTopicKeys();
    probe.previousTopicKeys();
    probe.publicKeys();
    probe.commandKey();
  }

  private void identity() {
    assertThat(hex(client.id())).as(description + ": id").isEqualTo(expected.id());
    assertThat(client.controlTopic())
        .as(description + ": control topic")
        .isEqualTo(expected.controlTopic());
    assertThat(client.mode()).as(description + ": mode").isEqualTo(expected.mode());
    if (expected.mode() == Mode.PUBLIC_KEY) {
      assertThat(hex(client.publicKey()))
          .as(description + ": own Ed25519 public key")
          .isEqualTo(expected.ownPublicKey());
    }
  }

  /** Each topic's messages open, at a receiver holding only the expected key. */
  private void currentTopicKeys() {
    assertThat(hexSet(client.topicHashes()))
        .as(description + ": topic hashes")
        .isEqualTo(expected.topicKeys().keySet());
    expected
        .topicKeys()
        .forEach(
            (topicHash, key) -> {
              String topic = ReferenceInputs.topicNamed(topicHash);
              assertThat(client.hasTopicKey(topic)).as(description + ": has " + topic).isTrue();
              assertReads(
                  receiverOf(topic, unhex(key)),
                  topic,
                  client.protect(topic, PAYLOAD),
                  topic + " protected under key " + key);
            });
  }

  /** A receiver that holds the expected topic key and, in public-key mode, the client's key. */
  private E4Client receiverOf(String topic, byte[] topicKey) {
    E4Client.Builder builder = E4Client.builder().name("e4j-vector-receiver").clock(clock);
    if (expected.mode() == Mode.SYMMETRIC) {
      builder.key(Keys.randomKey());
    } else {
      builder.signingKey(Keys.newEd25519()).c2PublicKey(ReferenceInputs.c2Public(0));
    }
    E4Client receiver = builder.build();
    receiver.setTopicKey(topic, topicKey);
    if (expected.mode() == Mode.PUBLIC_KEY) {
      receiver.addPublicKey(unhex(expected.signerId()), unhex(expected.ownPublicKey()));
    }
    return receiver;
  }

  /** During a key transition, a message under the replaced key still opens. */
  private void previousTopicKeys() {
    if (expected.previousTopicKeys().isEmpty()) {
      return;
    }
    assertThat(expected.mode())
        .as("old-key messages are sent from a symmetric-key client")
        .isEqualTo(Mode.SYMMETRIC);
    expected
        .previousTopicKeys()
        .forEach(
            (topicHash, oldKey) -> {
              String topic = ReferenceInputs.topicNamed(topicHash);
              E4Client sender =
                  E4Client.builder()
                      .name("e4j-vector-sender")
                      .key(Keys.randomKey())
                      .clock(clock)
                      .build();
              sender.setTopicKey(topic, unhex(oldKey));
              assertReads(
                  client,
                  topic,
                  sender.protect(topic, PAYLOAD),
                  topic + " message under the replaced key " + oldKey);
            });
  }

  /** Each peer's messages verify: signed by the owner of the expected public key. */
  private void publicKeys() {
    assertThat(hexSet(client.publicKeyIds()))
        .as(description + ": public key IDs")
        .isEqualTo(expected.publicKeys().keySet());
    if (expected.publicKeys().isEmpty()) {
      return;
    }
    byte[] probeKey = Keys.randomKey();
    client.setTopicKey(PROBE_TOPIC, probeKey);
    expected
        .publicKeys()
        .forEach(
            (peer, publicKey) -> {
              E4Client sender =
                  E4Client.builder()
                      .id(unhex(peer))
                      .signingKey(ReferenceInputs.ed25519PrivateOf(publicKey))
                      .c2PublicKey(ReferenceInputs.c2Public(0))
                      .clock(clock)
                      .build();
              sender.setTopicKey(PROBE_TOPIC, probeKey);
              assertReads(
                  client,
                  PROBE_TOPIC,
                  sender.protect(PROBE_TOPIC, PAYLOAD),
                  "message signed by " + peer + " with key " + publicKey);
            });
  }

  /** A command protected under the expected command key is applied. */
  private void commandKey() {
    byte[] commandKey =
        expected.mode() == Mode.SYMMETRIC
            ? unhex(expected.idKey())
            : Keys.sharedKey(
                Keys.curve25519Private(unhex(expected.idKey())), unhex(expected.c2PublicKey()));
    byte[] command =
        Commands.protect(Commands.removeTopic(ABSENT_TOPIC), commandKey, clock.instant());
    assertThat(
            unprotected(
                client,
                client.controlTopic(),
                command,
                description + ": command under the expected command key"))
        .isEmpty();
  }

  /** {@code reader} unprotects {@code message} to the probe payload. */
  private void assertReads(E4Client reader, String topic, byte[] message, String what) {
    assertThat(unprotected(reader, topic, message, description + ": " + what)).contains(PAYLOAD);
  }

  private static Set<String> hexSet(List<byte[]> values) {
    Set<String> hexValues = new TreeSet<>();
    values.forEach(value -> hexValues.add(hex(value)));
    return hexValues;
  }
}
