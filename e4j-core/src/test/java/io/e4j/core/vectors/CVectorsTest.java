package io.e4j.core.vectors;

import static io.e4j.core.vectors.VectorFiles.clockAt;
import static io.e4j.core.vectors.VectorFiles.reasonOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception.Reason;
import io.e4j.core.Keys;
import io.e4j.core.internal.crypto.Agreement;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Hashing;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every line of cvectors.txt, the line format the C client's checker reads. */
class CVectorsTest {
  private static final List<String[]> LINES =
      VectorFiles.lines("e4go/cvectors.txt").stream()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .map(line -> line.split(" ", -1))
          .toList();

  @TempDir Path directory;

  private final Map<String, Integer> counts = new TreeMap<>();
  private final Map<String, String[]> contexts = new HashMap<>();
  private long now;

  @Test
  void everyLine() {
    for (String[] line : LINES) {
      if (line[0].equals("CTX")) {
        contexts.put(line[1], line);
      }
      if (line[0].equals("NOW")) {
        now = Long.parseLong(line[1]);
      }
    }
    assertThat(now).isEqualTo(VectorFiles.REFERENCE_NOW);
    Map<String, String> e4goCommandResults = e4goCommandResults();
    for (String[] line : LINES) {
      switch (line[0]) {
        case "NOW" -> {}
        case "HASH" -> hash(line, 512, Keys::topicHash);
        case "IDALIAS" -> hash(line, 255, Keys::idFromName);
        case "CTRLTOPIC" -> assertThat(Keys.controlTopic(unhex(line[1]))).isEqualTo(line[2]);
        case "SYMMSG" -> symmetricMessage(line);
        case "SYMCMD" -> symmetricCommand(line, e4goCommandResults.get(line[7]));
        case "PKKEY" -> publicKeyPair(line);
        case "C2KEY" ->
            assertThat(Bytes.hex(Keys.curve25519PublicFromPrivate(unhex(line[1]))))
                .isEqualTo(line[2]);
        case "PKSHARED" -> sharedKey(line);
        case "PKMSG" -> publicKeyMessage(line);
        case "PKCMD" -> publicKeyCommand(line, e4goCommandResults.get(line[10]));
        case "CTX" -> context(line);
        case "NEG" -> negativeCase(line);
        default -> throw new AssertionError("unknown line type " + line[0]);
      }
      counts.merge(line[0], 1, Integer::sum);
    }
    System.out.println("cvectors.txt: " + LINES.size() + " lines checked " + counts);
    assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(LINES.size());
  }

  /** e4go's exact result per protected command, from the JSON twin of this file. */
  private static Map<String, String> e4goCommandResults() {
    JsonNode vectors = VectorFiles.e4go();
    Map<String, String> results = new HashMap<>();
    List<JsonNode> commands = new ArrayList<>();
    vectors.get("c_symmetric_commands").forEach(commands::add);
    vectors.get("e_public_key_mode").get("commands").forEach(commands::add);
    for (JsonNode command : commands) {
      results.put(command.get("protected").asText(), command.get("e4go_result").asText());
    }
    return results;
  }

  private static void hash(
      String[] line, int maxBytes, java.util.function.Function<String, byte[]> hasher) {
    byte[] input = unhex(line[1]);
    assertThat(Bytes.hex(Hashing.sha3Truncated16(input))).isEqualTo(line[2]);
    Optional<String> text = strictUtf8(input);
    if (input.length >= 1 && input.length <= maxBytes && text.isPresent()) {
      assertThat(Bytes.hex(hasher.apply(text.get()))).isEqualTo(line[2]);
    } else {
      assertThat(
              text.map(value -> reasonOf(() -> hasher.apply(value))).orElse(Reason.INVALID_TOPIC))
          .isIn(Reason.INVALID_TOPIC, Reason.INVALID_ARGUMENT);
    }
  }

  private static Optional<String> strictUtf8(byte[] bytes) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static String topic(String hex) {
    return new String(unhex(hex), StandardCharsets.UTF_8);
  }

  private void symmetricMessage(String[] line) {
    String topic = topic(line[3]);
    byte[] key = unhex(line[2]);
    byte[] plaintext = unhex((line[4]));
    E4Client sender =
        E4Client.builder()
            .name("c-sender")
            .key(key)
            .clock(clockAt(Long.parseLong(line[1])))
            .build();
    sender.setTopicKey(topic, key);
    E4Client receiver = E4Client.builder().name("c-receiver").key(key).clock(clockAt(now)).build();
    receiver.setTopicKey(topic, key);

    assertThat(Bytes.hex(sender.protect(topic, plaintext))).isEqualTo(line[5]);
    assertThat(receiver.unprotect(topic, unhex(line[5]))).contains(plaintext);
  }

  /** SYMCMD name ts id key pre_topics cmd protected ok|err post_idkey post_topics. */
  private void symmetricCommand(String[] line, String e4goResult) {
    ClientStore store = ClientStore.memory();
    E4Client client =
        VectorFiles.importGoStore(
            GoStateJson.symmetric(line[3], line[4], topics(line[5])),
            store,
            clockAt(now),
            directory);
    Reason reason = reasonOf(() -> client.unprotect(client.controlTopic(), unhex(line[7])));

    assertThat(line[8]).isEqualTo(e4goResult.equals("ok") ? "ok" : "err");
    assertThat(reason).as(line[1]).isEqualTo(ReferenceDifferences.commandOutcome(e4goResult));
    Map<String, Object> state = VectorFiles.stateView(store);
    assertThat(state.get("id_key")).isEqualTo(line[9]);
    assertThat(currentTopicKeys(state)).as(line[1]).isEqualTo(topics(line[10]));
  }

  /**
   * PKCMD name ts id priv64 pub c2pub pre_topics pre_pubkeys cmd protected ok|err post_priv64
   * post_c2pub post_topics post_pubkeys.
   */
  private void publicKeyCommand(String[] line, String e4goResult) {
    ClientStore store = ClientStore.memory();
    E4Client client =
        VectorFiles.importGoStore(
            GoStateJson.publicKey(line[3], line[4], line[6], topics(line[7]), topics(line[8])),
            store,
            clockAt(now),
            directory);
    Reason reason = reasonOf(() -> client.unprotect(client.controlTopic(), unhex(line[10])));

    assertThat(reason).as(line[1]).isEqualTo(ReferenceDifferences.commandOutcome(e4goResult));
    Map<String, Object> state = VectorFiles.stateView(store);
    assertThat(state.get("id_key")).isEqualTo(line[12]);
    assertThat(state.get("c2_pubkey")).isEqualTo(line[13]);
    assertThat(currentTopicKeys(state)).as(line[1]).isEqualTo(topics(line[14]));
    assertThat(state.get("pub_keys")).as(line[1]).isEqualTo(topics(line[15]));
  }

  /** Topic keys without key-transition entries, which cvectors.txt leaves out. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> currentTopicKeys(Map<String, Object> state) {
    Map<String, String> all = new TreeMap<>((Map<String, String>) state.get("topic_keys"));
    Map<String, String> transitions = new TreeMap<>();
    for (String hash : all.keySet()) {
      transitions.put(Bytes.hex(Hashing.sha3Truncated16(unhex(hash))), hash);
    }
    all.keySet().removeIf(transitions::containsKey);
    return all;
  }

  private static Map<String, String> topics(String list) {
    Map<String, String> topics = new TreeMap<>();
    if (!list.equals("-") && !list.isEmpty()) {
      for (String pair : list.split(",")) {
        String[] parts = pair.split(":");
        topics.put(parts[0], parts[1]);
      }
    }
    return topics;
  }

  /** Hex, where "-" stands for the empty string. */
  private static byte[] unhex(String field) {
    return Bytes.unhex(field.equals("-") ? "" : field);
  }

  /** PKKEY alias seed go_priv64 pub x_priv x_pub orlp_expanded64. */
  private static void publicKeyPair(String[] line) {
    byte[] privateKey = unhex(line[3]);
    assertThat(Bytes.hex(io.e4j.core.internal.crypto.Signing.privateKeyFromSeed(unhex(line[2]))))
        .isEqualTo(line[3]);
    assertThat(Bytes.hex(Keys.ed25519Public(privateKey))).isEqualTo(line[4]);
    assertThat(Bytes.hex(Keys.curve25519Private(privateKey))).isEqualTo(line[5]);
    assertThat(Bytes.hex(Keys.curve25519Public(unhex(line[4])))).isEqualTo(line[6]);
    byte[] seed = unhex(line[2]);
    byte[] expanded = Hashing.sha512(seed, 0, seed.length);
    assertThat(line[7])
        .isEqualTo(line[5] + Bytes.hex(java.util.Arrays.copyOfRange(expanded, 32, 64)));
  }

  /** PKSHARED ed_priv64 ed_pub c2_priv c2_pub x25519_point shared_key. */
  private static void sharedKey(String[] line) {
    byte[] clientCurvePrivate = Keys.curve25519Private(unhex(line[1]));
    byte[] clientCurvePublic = Keys.curve25519Public(unhex(line[2]));
    assertThat(Bytes.hex(Agreement.x25519Raw(clientCurvePrivate, unhex(line[4]))))
        .isEqualTo(line[5]);
    assertThat(Bytes.hex(Agreement.x25519Raw(unhex(line[3]), clientCurvePublic)))
        .isEqualTo(line[5]);
    assertThat(Bytes.hex(Keys.sharedKey(clientCurvePrivate, unhex(line[4])))).isEqualTo(line[6]);
    assertThat(Bytes.hex(Keys.sharedKey(unhex(line[3]), clientCurvePublic))).isEqualTo(line[6]);
  }

  /** PKMSG ts signer_id priv64 pub topic_hex topic_key pt protected x_priv. */
  private void publicKeyMessage(String[] line) {
    String topic = topic(line[5]);
    byte[] topicKey = unhex(line[6]);
    byte[] plaintext = unhex((line[7]));
    byte[] c2Public = Keys.curve25519PublicFromPrivate(VectorFiles.d32("c2-curve25519-private"));
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
            .name("c-receiver")
            .signingKey(
                io.e4j.core.internal.crypto.Signing.privateKeyFromSeed(VectorFiles.d32("receiver")))
            .c2PublicKey(c2Public)
            .clock(clockAt(now))
            .build();
    receiver.setTopicKey(topic, topicKey);
    receiver.addPublicKey(unhex(line[2]), unhex(line[4]));

    assertThat(Bytes.hex(sender.protect(topic, plaintext))).isEqualTo(line[8]);
    assertThat(receiver.unprotect(topic, unhex(line[8]))).contains(plaintext);
    assertThat(Bytes.hex(Keys.curve25519Private(unhex(line[3])))).isEqualTo(line[9]);
  }

  /** CTX name id key_or_priv64 pub c2pub topics devices: the receivers of the NEG lines. */
  private static void context(String[] line) {
    if (line[1].equals("sym")) {
      assertThat(line[2]).isEqualTo(Bytes.hex(Keys.idFromName("sym-client-1")));
      assertThat(line[3]).isEqualTo(Bytes.hex(VectorFiles.d32("sym-client-key-1")));
    } else {
      assertThat(Bytes.hex(Keys.ed25519Public(unhex(line[3])))).isEqualTo(line[4]);
      assertThat(line[5])
          .isEqualTo(
              Bytes.hex(
                  Keys.curve25519PublicFromPrivate(VectorFiles.d32("c2-curve25519-private"))));
    }
  }

  /** NEG name context now topic_hex protected e4go_code. */
  private void negativeCase(String[] line) {
    String[] context =
        contexts.get(
            line[2].startsWith("sym") ? "sym" : line[2].equals("pk-message") ? "pkB" : "pkA");
    Clock clock = clockAt(Long.parseLong(line[3]));
    E4Client receiver =
        VectorFiles.importGoStore(
            context[1].equals("sym")
                ? GoStateJson.symmetric(context[2], context[3], topics(context[6]))
                : GoStateJson.publicKey(
                    context[2], context[3], context[5], topics(context[6]), topics(context[7])),
            ClientStore.memory(),
            clock,
            directory);
    String topic = line[2].endsWith("command") ? receiver.controlTopic() : topic(line[4]);

    assertThat(reasonOf(() -> receiver.unprotect(topic, unhex(line[5]))))
        .as(line[1])
        .isEqualTo(ReferenceDifferences.negativeCaseOutcome(line[1], line[6]));
  }

  /** Builds the Go client's JSON store, so the lines' pre-states load through the importer. */
  private static final class GoStateJson {
    private GoStateJson() {}

    static String symmetric(String id, String key, Map<String, String> topics) {
      return "{\"ID\":\""
          + b64(id)
          + "\",\"TopicKeys\":"
          + map(topics)
          + ",\"Key\":{\"keyType\":0,\"keyData\":{\"Key\":\""
          + b64(key)
          + "\"}},"
          + "\"ReceivingTopic\":\"e4/"
          + id
          + "\"}";
    }

    static String publicKey(
        String id,
        String privateKey,
        String c2PublicKey,
        Map<String, String> topics,
        Map<String, String> peers) {
      return "{\"ID\":\""
          + b64(id)
          + "\",\"TopicKeys\":"
          + map(topics)
          + ",\"Key\":{\"keyType\":1,\"keyData\":{\"PrivateKey\":\""
          + b64(privateKey)
          + "\",\"SignerID\":\""
          + b64(id)
          + "\",\"C2PubKey\":\""
          + b64(c2PublicKey)
          + "\",\"PubKeys\":"
          + map(peers)
          + "}},\"ReceivingTopic\":\"e4/"
          + id
          + "\"}";
    }

    private static String map(Map<String, String> hexKeys) {
      StringBuilder json = new StringBuilder("{");
      for (Map.Entry<String, String> entry : hexKeys.entrySet()) {
        if (json.length() > 1) {
          json.append(',');
        }
        json.append('"')
            .append(entry.getKey())
            .append("\":\"")
            .append(b64(entry.getValue()))
            .append('"');
      }
      return json.append('}').toString();
    }

    private static String b64(String hex) {
      return Base64.getEncoder().encodeToString(unhex(hex));
    }
  }
}
