package io.e4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Feeds arbitrary bytes to {@link E4Client#unprotect} as messages and as commands, in both modes:
 * nothing may escape but {@link E4Exception}. In CI this runs the saved inputs under {@code
 * E4ClientFuzzTestInputs/unprotect} (regression mode); {@code JAZZER_FUZZ=1 mvn test
 * -Dtest=E4ClientFuzzTest -pl e4j-core} fuzzes for new ones.
 *
 * <p>Input layout: byte 0 picks the receiver (bit 0: public-key mode, bit 1: the control topic),
 * the rest is the protected message.
 */
class E4ClientFuzzTest {
  static final String TOPIC = "sensors/temperature";
  private static final Clock CLOCK =
      Clock.fixed(Instant.ofEpochSecond(TestDevices.NOW), ZoneOffset.UTC);

  @FuzzTest(maxDuration = "60s")
  void unprotect(byte[] input) {
    if (input.length == 0) {
      return;
    }
    E4Client receiver = receiver((input[0] & 1) != 0);
    String topic = (input[0] & 2) != 0 ? receiver.controlTopic() : TOPIC;
    byte[] message = Arrays.copyOfRange(input, 1, input.length);
    try {
      receiver.unprotect(topic, message);
    } catch (E4Exception expected) {
      // Refusing bad input with a reason is the correct outcome.
    }
  }

  /** A fresh receiver holding the topic key and, in public-key mode, the sender's public key. */
  static E4Client receiver(boolean publicKeyMode) {
    E4Client receiver =
        publicKeyMode
            ? TestDevices.publicKey("fuzz-receiver", CLOCK).build()
            : TestDevices.symmetric("fuzz-receiver", CLOCK).build();
    receiver.setTopicKey(TOPIC, TestDevices.key("fuzz-topic"));
    if (publicKeyMode) {
      receiver.addPublicKey(
          Keys.idFromName("fuzz-sender"),
          Keys.ed25519Public(TestDevices.ed25519("client/fuzz-sender")));
    }
    return receiver;
  }

  /** The saved inputs named "valid-*" must stay valid, or the corpus stops reaching deep code. */
  @Test
  void validSeedInputs_areAccepted() throws IOException {
    List<String> seeds =
        List.of(
            "valid-sk-message",
            "valid-pk-message",
            "valid-sk-set-topic-key",
            "valid-pk-set-pub-key",
            "valid-pk-set-c2-key");
    for (String seed : seeds) {
      byte[] input = seedInput(seed);
      E4Client receiver = receiver((input[0] & 1) != 0);
      String topic = (input[0] & 2) != 0 ? receiver.controlTopic() : TOPIC;
      Optional<byte[]> result =
          receiver.unprotect(topic, Arrays.copyOfRange(input, 1, input.length));
      assertThat(result.isEmpty()).as(seed).isEqualTo((input[0] & 2) != 0);
      result.ifPresent(
          payload -> assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("21.5"));
    }
  }

  private static byte[] seedInput(String name) throws IOException {
    try (InputStream in =
        E4ClientFuzzTest.class.getResourceAsStream("E4ClientFuzzTestInputs/unprotect/" + name)) {
      assertThat(in).as("seed input " + name).isNotNull();
      return in.readAllBytes();
    }
  }
}
