package io.e4j.core.vectors;

import static io.e4j.core.vectors.VectorFiles.REFERENCE_NOW;
import static io.e4j.core.vectors.VectorFiles.clockAt;
import static io.e4j.core.vectors.VectorFiles.digest;
import static io.e4j.core.vectors.VectorFiles.hex;
import static io.e4j.core.vectors.VectorFiles.reasonOf;
import static io.e4j.core.vectors.VectorFiles.sha3;
import static io.e4j.core.vectors.VectorFiles.sha3Truncated16;
import static io.e4j.core.vectors.VectorFiles.unhex;
import static io.e4j.core.vectors.VectorFiles.unprotected;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.e4j.core.Command;
import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception.Reason;
import io.e4j.core.Keys;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every line of cvectors.txt, the line format libe4's checker reads (its README describes the
 * columns), through e4j's public API.
 */
class CVectorsTest {
  private static final List<String[]> LINES =
      VectorFiles.lines("e4go/cvectors.txt").stream()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .map(line -> line.split(" ", -1))
          .toList();
  private static final Clock NOW = clockAt(REFERENCE_NOW);

  private final Map<String, StateView> contexts = new HashMap<>();

  @Test
  void everyLine() {
    Map<String, String> e4goCommandResults = e4goCommandResults();
    Map<String, Integer> counts = new TreeMap<>();
    for (String[] line : LINES) {
      switch (line[0]) {
        case "NOW" -> assertThat(Long.parseLong(line[1])).isEqualTo(REFERENCE_NOW);
        case "HASH" -> hash(line, 512, Keys::topicHash);
        case "IDALIAS" -> hash(line, 255, Keys::idFromName);
        case "CTRLTOPIC" -> assertThat(Keys.controlTopic(unhex(line[1]))).isEqualTo(line[2]);
        case "SYMMSG" -> symmetricMessage(line);
        case "SYMCMD" -> symmetricCommand(line, e4goCommandResults.get(line[7]));
        case "PKKEY" -> publicKeyPair(line);
        case "C2KEY" ->
            assertThat(hex(Keys.curve25519PublicFromPrivate(unhex(line[1])))).isEqualTo(line[2]);
        case "PKSHARED" -> sharedKey(line);
        case "PKMSG" -> publicKeyMessage(line);
        case "PKCMD" -> publicKeyCommand(line, e4goCommandResults.get(line[10]));
        case "CTX" -> context(line);
        case "NEG" -> negativeCase(line);
        default -> throw new AssertionError("unknown line type " + line[0]);
      }
      counts.merge(line[0], 1, Integer::sum);
    }
    counts.forEach(
        (type, cases) ->
            System.out.println("cvectors.txt " + type + ": " + cases + " cases checked"));
    assertThat(counts)
        .containsOnlyKeys(
            "NOW",
            "HASH",
            "IDALIAS",
            "CTRLTOPIC",
            "SYMMSG",
            "SYMCMD",
            "PKKEY",
            "C2KEY",
            "PKSHARED",
            "PKMSG",
            "PKCMD",
            "CTX",
            "NEG");
  }

  /**
   * e4go's exact answer to each protected command, from the JSON twin of this file: the line format
   * says only ok or err, and e4j's reason depends on which error it was.
   */
  private static Map<String, String> e4goCommandResults() {
    JsonNode vectors = VectorFiles.e4go();
    Map<String, String> results = new HashMap<>();
    for (JsonNode commands :
        List.of(
            vectors.get("c_symmetric_commands"),
            vectors.get("e_public_key_mode").get("commands"))) {
      for (JsonNode command : commands) {
        results.put(command.get("protected").asText(), command.get("e4go_result").asText());
      }
    }
    return results;
  }

  /** HASH/IDALIAS input_hex hash16. e4j refuses what the protocol forbids, as in section a. */
  private static void hash(String[] line, int maxBytes, Function<String, byte[]> hasher) {
    byte[] input = unhex(line[1]);
    assertThat(hex(sha3Truncated16(input))).isEqualTo(line[2]);
    Optional<String> text = strictUtf8(input);
    assertThat(text).as("vector inputs are UTF-8").isPresent();
    if (input.length >= 1 && input.length <= maxBytes) {
      assertThat(hex(hasher.apply(text.get()))).isEqualTo(line[2]);
    } else {
      assertThat(reasonOf(() -> hasher.apply(text.get())))
          .isIn(Reason.INVALID_TOPIC, Reason.INVALID_ARGUMENT);
    }
  }

  private static Optional<String> strictUtf8(byte[] bytes) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** SYMMSG ts key topic_hex pt protected. */
  private static void symmetricMessage(String[] line) {
    String topic = VectorFiles.utf8(unhex(line[3]));
    byte[] key = unhex(line[2]);
    byte[] plaintext = unhex(line[4]);
    E4Client sender = symmetricClient(clockAt(Long.parseLong(line[1])));
    sender.setTopicKey(topic, key);
    E4Client receiver = symmetricClient(NOW);
    receiver.setTopicKey(topic, key);

    assertThat(hex(sender.protect(topic, plaintext))).isEqualTo(line[5]);
    // Including the empty plaintext, which e4go cannot unprotect (libe4 can); see section b.
    assertThat(unprotected(receiver, topic, unhex(line[5]), line[5])).contains(plaintext);
  }

  private static E4Client symmetricClient(Clock clock) {
    return E4Client.builder()
        .name(ReferenceInputs.SYMMETRIC_CLIENT)
        .key(ReferenceInputs.symmetricClientKey())
        .clock(clock)
        .build();
  }

  /** SYMCMD name ts id key pre_topics cmd protected ok|err post_idkey post_topics. */
  private static void symmetricCommand(String[] line, String e4goResult) {
    new CommandLine(
            line[1],
            line[2],
            line[4],
            line[6],
            line[7],
            line[8],
            StateView.symmetric(line[3], line[4], pairs(line[5])),
            StateView.symmetric(line[3], line[9], pairs(line[10])))
        .check(e4goResult);
  }

  /**
   * PKCMD name ts id priv64 pub c2pub pre_topics pre_pubkeys cmd protected ok|err post_priv64
   * post_c2pub post_topics post_pubkeys.
   */
  private static void publicKeyCommand(String[] line, String e4goResult) {
    assertThat(hex(Keys.ed25519Public(unhex(line[4])))).isEqualTo(line[5]);
    String commandKey = hex(Keys.sharedKey(Keys.curve25519Private(unhex(line[4])), unhex(line[6])));
    new CommandLine(
            line[1],
            line[2],
            commandKey,
            line[9],
            line[10],
            line[11],
            StateView.publicKey(line[3], line[4], line[6], pairs(line[7]), pairs(line[8])),
            StateView.publicKey(line[3], line[12], line[13], pairs(line[14]), pairs(line[15])))
        .check(e4goResult);
  }

  /** The columns of a SYMCMD or PKCMD line. */
  private record CommandLine(
      String name,
      String timestamp,
      String commandKey,
      String command,
      String protectedCommand,
      String okOrErr,
      StateView before,
      StateView after) {

    /**
     * A well-formed command protects to the line's bytes; the command applied to the state before
     * has e4go's outcome and gives the state after. Without key transitions: the line format leaves
     * them out.
     */
    void check(String e4goResult) {
      Instant at = Instant.ofEpochSecond(Long.parseLong(timestamp));
      if (reasonOf(() -> Command.parse(unhex(command))) == null) {
        assertThat(hex(Commands.protect(unhex(command), unhex(commandKey), at)))
            .as(name)
            .isEqualTo(protectedCommand);
      }
      assertThat(okOrErr).as(name).isEqualTo(e4goResult.equals("ok") ? "ok" : "err");
      E4Client client = before.newClient(E4Client.builder().clock(NOW));

      assertThat(reasonOf(() -> client.unprotect(client.controlTopic(), unhex(protectedCommand))))
          .as(name + ": " + e4goResult)
          .isEqualTo(ReferenceDifferences.commandOutcome(e4goResult));
      StateProbe.assertState(client, NOW, after, name);
    }
  }

  /** "hexhash:hexkey,..." or "-". */
  private static Map<String, String> pairs(String list) {
    Map<String, String> pairs = new TreeMap<>();
    if (!list.equals("-")) {
      for (String pair : list.split(",")) {
        String[] parts = pair.split(":");
        pairs.put(parts[0], parts[1]);
      }
    }
    return pairs;
  }

  /** PKKEY alias seed go_priv64 pub x_priv x_pub orlp_expanded64. */
  private static void publicKeyPair(String[] line) {
    byte[] seed = unhex(line[2]);
    byte[] privateKey = unhex(line[3]);
    assertThat(line[3]).isEqualTo(line[2] + line[4]);
    assertThat(hex(Keys.ed25519Public(privateKey))).isEqualTo(line[4]);
    assertThat(hex(Keys.curve25519Private(privateKey))).isEqualTo(line[5]);
    assertThat(hex(Keys.curve25519Public(unhex(line[4])))).isEqualTo(line[6]);
    assertThat(hex(Keys.curve25519PublicFromPrivate(unhex(line[5])))).isEqualTo(line[6]);
    byte[] sha512 = digest("SHA-512", seed);
    assertThat(line[7]).isEqualTo(line[5] + hex(Arrays.copyOfRange(sha512, 32, 64)));
  }

  /** PKSHARED ed_priv64 ed_pub c2_priv c2_pub x25519_point shared_key. */
  private static void sharedKey(String[] line) {
    byte[] clientCurvePrivate = Keys.curve25519Private(unhex(line[1]));
    byte[] clientCurvePublic = Keys.curve25519Public(unhex(line[2]));
    assertThat(hex(sha3(unhex(line[5])))).isEqualTo(line[6]);
    assertThat(hex(Keys.sharedKey(clientCurvePrivate, unhex(line[4])))).isEqualTo(line[6]);
    assertThat(hex(Keys.sharedKey(unhex(line[3]), clientCurvePublic))).isEqualTo(line[6]);
  }

  /** PKMSG ts signer_id priv64 pub topic_hex topic_key pt protected x_priv. */
  private static void publicKeyMessage(String[] line) {
    String topic = VectorFiles.utf8(unhex(line[5]));
    byte[] topicKey = unhex(line[6]);
    byte[] plaintext = unhex(line[7]);
    byte[] c2Public = ReferenceInputs.c2Public(0);
    E4Client sender =
        E4Client.builder()
            .id(unhex(line[2]))
            .signingKey(unhex(line[3]))
            .c2PublicKey(c2Public)
            .clock(clockAt(Long.parseLong(line[1])))
            .build();
    sender.setTopicKey(topic, topicKey);
    E4Client receiver =
        E4Client.builder()
            .name(ReferenceInputs.PK_CLIENT_B)
            .signingKey(ReferenceInputs.ed25519Private(ReferenceInputs.PK_CLIENT_B))
            .c2PublicKey(c2Public)
            .clock(NOW)
            .build();
    receiver.setTopicKey(topic, topicKey);
    receiver.addPublicKey(unhex(line[2]), unhex(line[4]));

    assertThat(hex(sender.protect(topic, plaintext))).isEqualTo(line[8]);
    assertThat(unprotected(receiver, topic, unhex(line[8]), line[8])).contains(plaintext);
    assertThat(hex(Keys.curve25519Private(unhex(line[3])))).isEqualTo(line[9]);
  }

  /** CTX sym|pkB|pkA id key_or_priv64 pub c2pub topics devices: the receivers of NEG lines. */
  private void context(String[] line) {
    if (line[1].equals("sym")) {
      contexts.put(line[1], StateView.symmetric(line[2], line[3], pairs(line[6])));
    } else {
      assertThat(hex(Keys.ed25519Public(unhex(line[3])))).isEqualTo(line[4]);
      contexts.put(
          line[1], StateView.publicKey(line[2], line[3], line[5], pairs(line[6]), pairs(line[7])));
    }
  }

  /** NEG name context now topic_hex protected e4go_code, after the CTX lines. */
  private void negativeCase(String[] line) {
    String name = line[1];
    String context =
        switch (line[2]) {
          case "sym-message", "sym-command" -> "sym";
          case "pk-message" -> "pkB";
          case "pk-command" -> "pkA";
          default -> throw new AssertionError("unknown context " + line[2]);
        };
    String topic = VectorFiles.utf8(unhex(line[4]));
    byte[] message = unhex(line[5]);
    Clock clock = clockAt(Long.parseLong(line[3]));
    StateView device = contexts.get(context);
    assertThat(device).as("the CTX line of " + context + " comes before the NEG lines").isNotNull();
    E4Client receiver = device.newClient(E4Client.builder().clock(clock));

    assertThat(reasonOf(() -> receiver.unprotect(topic, message)))
        .as(name)
        .isEqualTo(ReferenceDifferences.negativeCaseOutcome(name, line[6]));
    if (name.contains("future")) {
      E4Client noSkew = device.newClient(E4Client.builder().clock(clock).clockSkew(Duration.ZERO));
      assertThat(reasonOf(() -> noSkew.unprotect(topic, message)))
          .as(name + " with no clock skew, as e4go")
          .isEqualTo(Reason.TIMESTAMP_IN_FUTURE);
    }
  }
}
