package io.e4j.core.vectors;

import static io.e4j.core.vectors.VectorFiles.REFERENCE_NOW;
import static io.e4j.core.vectors.VectorFiles.clockAt;
import static io.e4j.core.vectors.VectorFiles.d32;
import static io.e4j.core.vectors.VectorFiles.hex;
import static io.e4j.core.vectors.VectorFiles.reasonOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.e4j.core.ClientStore;
import io.e4j.core.Command;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception.Reason;
import io.e4j.core.Keys;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.Hashing;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every section of e4go-vectors.json, produced by running Teserakt's Go client. */
class E4goVectorsTest {
  private static final JsonNode VECTORS = VectorFiles.e4go();
  private static final Clock NOW = clockAt(REFERENCE_NOW);

  @TempDir Path directory;

  private static void report(String section, int cases) {
    System.out.println("e4go " + section + ": " + cases + " cases checked");
    assertThat(cases).as(section).isPositive();
  }

  @Test
  void a_topicHashes() {
    int cases = 0;
    for (JsonNode vector : VECTORS.get("a_topic_hashes")) {
      byte[] utf8 = hex(vector.get("input_utf8_hex"));
      assertThat(Bytes.hex(Hashing.sha3Truncated16(utf8))).isEqualTo(vector.get("hash").asText());
      int length = vector.get("input_len_bytes").asInt();
      String topic = vector.get("input").asText();
      if (length >= 1 && length <= 512) {
        assertThat(Bytes.hex(Keys.topicHash(topic)))
            .as(vector.get("description").asText())
            .isEqualTo(vector.get("hash").asText());
      } else {
        // Deliberate: e4j refuses topics the protocol forbids (empty, over 512 bytes).
        assertThat(reasonOf(() -> Keys.topicHash(topic))).isEqualTo(Reason.INVALID_TOPIC);
      }
      cases++;
    }
    report("a_topic_hashes", cases);
  }

  @Test
  void a_idAliasHashes() {
    int cases = 0;
    for (JsonNode vector : VECTORS.get("a_id_alias_hashes")) {
      byte[] utf8 = hex(vector.get("input_utf8_hex"));
      assertThat(Bytes.hex(Hashing.sha3Truncated16(utf8))).isEqualTo(vector.get("hash").asText());
      int length = vector.get("input_len_bytes").asInt();
      String name = vector.get("input").asText();
      if (length >= 1 && length <= 255) {
        assertThat(Bytes.hex(Keys.idFromName(name)))
            .as(vector.get("description").asText())
            .isEqualTo(vector.get("hash").asText());
      } else {
        assertThat(reasonOf(() -> Keys.idFromName(name))).isEqualTo(Reason.INVALID_ARGUMENT);
      }
      cases++;
    }
    report("a_id_alias_hashes", cases);
  }

  @Test
  void a_receivingTopics() {
    int cases = 0;
    for (JsonNode vector : VECTORS.get("a_receiving_topics")) {
      byte[] id = hex(vector.get("id"));
      if (id.length == 16) {
        assertThat(Keys.controlTopic(id)).isEqualTo(vector.get("receiving_topic").asText());
      } else {
        // Deliberate: device IDs are 16 bytes; e4go accepts any length here.
        assertThat(reasonOf(() -> Keys.controlTopic(id))).isEqualTo(Reason.INVALID_ARGUMENT);
      }
      cases++;
    }
    report("a_receiving_topics", cases);
  }

  @Test
  void b_symmetricMessages() {
    int cases = 0;
    for (JsonNode vector : VECTORS.get("b_symmetric_messages")) {
      String topic = vector.get("topic").asText();
      byte[] key = hex(vector.get("key"));
      byte[] plaintext = hex(vector.get("plaintext"));
      E4Client sender = symmetricClient(clockAt(vector.get("timestamp").asLong()));
      sender.setTopicKey(topic, key);
      E4Client receiver = symmetricClient(NOW);
      receiver.setTopicKey(topic, key);

      assertThat(Bytes.hex(Keys.topicHash(topic))).isEqualTo(vector.get("topic_hash").asText());
      assertThat(Bytes.hex(sender.protect(topic, plaintext)))
          .as(vector.get("description").asText())
          .isEqualTo(vector.get("protected").asText());
      // Including the empty plaintext, which e4go itself cannot unprotect.
      assertThat(receiver.unprotect(topic, hex(vector.get("protected")))).contains(plaintext);
      cases++;
    }
    report("b_symmetric_messages", cases);
  }

  private static E4Client symmetricClient(Clock clock) {
    return E4Client.builder()
        .name("sym-client-1")
        .key(d32("sym-client-key-1"))
        .clock(clock)
        .build();
  }

  @Test
  void c_symmetricCommands() {
    report("c_symmetric_commands", checkCommands(VECTORS.get("c_symmetric_commands")));
  }

  @Test
  void e_publicKeyCommands() {
    report(
        "e_public_key_mode.commands",
        checkCommands(VECTORS.get("e_public_key_mode").get("commands")));
  }

  /**
   * Each command is applied to a client imported from the Go client's store as it was before the
   * command; the state afterwards must equal the Go client's, and a command e4go refused must be
   * refused for the same reason and leave the state as it was.
   */
  private int checkCommands(JsonNode commands) {
    int cases = 0;
    for (JsonNode vector : commands) {
      String description = vector.get("name").asText() + ": " + vector.get("description").asText();
      byte[] command = hex(vector.get("command"));
      byte[] protectedCommand = hex(vector.get("protected"));
      if (vector.get("e4go_result").asText().equals("ok")) {
        assertThat(Command.parse(command).encode()).as(description).isEqualTo(command);
        assertThat(
                Bytes.hex(
                    io.e4j.core.Commands.protect(
                        command,
                        hex(vector.get("protect_key")),
                        clockAt(vector.get("timestamp").asLong()).instant())))
            .as(description)
            .isEqualTo(vector.get("protected").asText());
      }
      ClientStore store = ClientStore.memory();
      E4Client client =
          VectorFiles.importGoStore(
              vector.get("e4go_store_json_before").asText(), store, NOW, directory);
      assertThat(VectorFiles.stateView(store))
          .as(description + " (state before)")
          .isEqualTo(VectorFiles.stateView(vector.get("state_before")));

      Reason reason =
          reasonOf(
              () -> client.unprotect(vector.get("receiving_topic").asText(), protectedCommand));

      assertThat(reason)
          .as(description)
          .isEqualTo(ReferenceDifferences.commandOutcome(vector.get("e4go_result").asText()));
      JsonNode expectedState =
          reason == null ? vector.get("state_after") : vector.get("state_before");
      assertThat(VectorFiles.stateView(store))
          .as(description + " (state after)")
          .isEqualTo(VectorFiles.stateView(expectedState));
      cases++;
    }
    return cases;
  }

  @Test
  void d_passwordDerivations() {
    int cases = 0;
    for (JsonNode vector : VECTORS.get("d_password_derivations").get("vectors")) {
      String password = vector.get("password").asText();
      if (vector.hasNonNull("DeriveSymKey_error")) {
        assertThat(reasonOf(() -> Keys.symmetricKeyFromPassword(password)))
            .isEqualTo(Reason.INVALID_KEY);
        assertThat(reasonOf(() -> Keys.ed25519FromPassword(password)))
            .isEqualTo(Reason.INVALID_KEY);
      } else {
        assertThat(Bytes.hex(Keys.symmetricKeyFromPassword(password)))
            .as(password)
            .isEqualTo(vector.get("DeriveSymKey").asText())
            .isEqualTo(vector.get("argon2i_reference").asText());
        byte[] ed25519 = Keys.ed25519FromPassword(password);
        assertThat(Bytes.hex(ed25519))
            .isEqualTo(vector.get("Ed25519PrivateKeyFromPassword").asText());
        assertThat(Bytes.hex(Keys.ed25519Public(ed25519)))
            .isEqualTo(vector.get("ed25519_public").asText());
        if (vector.hasNonNull("client_name")) {
          ClientStore store = ClientStore.memory();
          E4Client client =
              E4Client.builder()
                  .name(vector.get("client_name").asText())
                  .password(password)
                  .store(store)
                  .build();
          assertThat(Bytes.hex(client.id()))
              .isEqualTo(vector.get("client_id_HashIDAlias(name)").asText());
          assertThat(client.controlTopic()).isEqualTo(vector.get("receiving_topic").asText());
          assertThat(VectorFiles.stateView(store).get("id_key"))
              .isEqualTo(vector.get("DeriveSymKey").asText());
        }
      }
      cases++;
    }
    report("d_password_derivations", cases);
  }

  @Test
  void e_keysAndSharedKeys() {
    JsonNode section = VECTORS.get("e_public_key_mode");
    int cases = 0;
    for (JsonNode vector : section.get("ed25519_keys")) {
      byte[] privateKey = hex(vector.get("ed25519_private_key_go_format_seed_pub"));
      assertThat(Bytes.hex(Keys.idFromName(vector.get("alias").asText())))
          .isEqualTo(vector.get("id_HashIDAlias(alias)").asText());
      assertThat(Bytes.hex(Keys.ed25519Public(privateKey)))
          .isEqualTo(vector.get("ed25519_public_key").asText());
      assertThat(Bytes.hex(Keys.curve25519Private(privateKey)))
          .isEqualTo(vector.get("curve25519_private_PrivateEd25519KeyToCurve25519").asText());
      assertThat(Bytes.hex(Keys.curve25519Public(hex(vector.get("ed25519_public_key")))))
          .isEqualTo(vector.get("curve25519_public_PublicEd25519KeyToCurve25519").asText());
      cases++;
    }
    for (JsonNode vector : section.get("c2_keys")) {
      assertThat(Bytes.hex(Keys.curve25519PublicFromPrivate(hex(vector.get("curve25519_private")))))
          .isEqualTo(vector.get("curve25519_public").asText());
      cases++;
    }
    for (JsonNode vector : section.get("shared_keys")) {
      String expected = vector.get("shared_key_sha3_256").asText();
      assertThat(
              Bytes.hex(
                  Keys.sharedKey(
                      Keys.curve25519Private(hex(vector.get("client_ed25519_private"))),
                      hex(vector.get("c2_curve25519_public")))))
          .isEqualTo(expected);
      assertThat(
              Bytes.hex(
                  Keys.sharedKey(
                      hex(vector.get("c2_curve25519_private")),
                      hex(vector.get("client_curve25519_public")))))
          .isEqualTo(expected);
      cases++;
    }
    report("e_public_key_mode keys and shared keys", cases);
  }

  @Test
  void e_publicKeyMessages() {
    JsonNode section = VECTORS.get("e_public_key_mode");
    int cases = 0;
    for (JsonNode vector : section.get("messages")) {
      String alias = vector.get("signer_alias").asText();
      byte[] signerKey = ed25519Of(section, alias);
      String topic = vector.get("topic").asText();
      byte[] topicKey = hex(vector.get("topic_key"));
      E4Client sender = pkClient(alias, signerKey, clockAt(vector.get("timestamp").asLong()));
      sender.setTopicKey(topic, topicKey);
      E4Client receiver = pkClient("pk-client-B", ed25519Of(section, "pk-client-B"), NOW);
      receiver.setTopicKey(topic, topicKey);
      receiver.addPublicKey(hex(vector.get("signer_id")), hex(vector.get("signer_ed25519_public")));

      assertThat(Bytes.hex(sender.protect(topic, hex(vector.get("plaintext")))))
          .as(vector.get("description").asText())
          .isEqualTo(vector.get("protected").asText());
      assertThat(receiver.unprotect(topic, hex(vector.get("protected"))))
          .contains(hex(vector.get("plaintext")));
      cases++;
    }
    report("e_public_key_mode.messages", cases);
  }

  private static byte[] ed25519Of(JsonNode section, String alias) {
    for (JsonNode key : section.get("ed25519_keys")) {
      if (key.get("alias").asText().equals(alias)) {
        return hex(key.get("ed25519_private_key_go_format_seed_pub"));
      }
    }
    throw new AssertionError("no Ed25519 key for " + alias);
  }

  private static E4Client pkClient(String alias, byte[] signingKey, Clock clock) {
    return E4Client.builder()
        .name(alias)
        .signingKey(signingKey)
        .c2PublicKey(Keys.curve25519PublicFromPrivate(d32("c2-curve25519-private")))
        .clock(clock)
        .build();
  }

  @Test
  void f_keyTransition() {
    JsonNode section = VECTORS.get("f_key_transition");
    String topic = section.get("topic").asText();
    assertThat(Bytes.hex(Hashing.sha3Truncated16(hex(section.get("topic_hash")))))
        .isEqualTo(section.get("hash_of_hash").asText());
    int cases = 0;
    for (JsonNode scenario : section.get("scenarios")) {
      long keySetTime = scenario.get("key_set_time").asLong();
      MovingClock clock = new MovingClock(keySetTime - 1);
      E4Client receiver = symmetricClient(clock);
      receiver.setTopicKey(topic, hex(section.get("old_key")));
      clock.set(keySetTime);
      receiver.setTopicKey(topic, hex(section.get("new_key")));
      clock.set(scenario.get("now").asLong());
      String expected = scenario.get("expected").asText();
      Supplier<Optional<byte[]>> unprotect =
          () -> receiver.unprotect(topic, hex(scenario.get("protected")));

      if (expected.startsWith("ok: ")) {
        String payload = expected.substring(5, expected.length() - 1);
        assertThat(unprotect.get())
            .contains(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else {
        // Deliberate: an expired transition is NOT_AUTHENTIC (e4go says "timestamp too old",
        // though the message's own timestamp is fine).
        assertThat(reasonOf(unprotect::get))
            .as(scenario.get("description").asText())
            .isEqualTo(Reason.NOT_AUTHENTIC);
      }
      cases++;
    }
    report("f_key_transition", cases);
  }

  @Test
  void g_negativeCases() {
    int cases = 0;
    for (JsonNode vector : VECTORS.get("g_negative_cases").get("vectors")) {
      String name = vector.get("name").asText();
      Clock clock = clockAt(vector.get("now").asLong());
      Reason expected =
          ReferenceDifferences.negativeCaseOutcome(name, vector.get("e4go_code").asText());
      E4Client receiver =
          negativeContext(vector.get("context").asText(), clock, Duration.ofSeconds(60));
      String topic =
          vector.get("context").asText().endsWith("command")
              ? receiver.controlTopic()
              : vector.get("topic").asText();

      assertThat(reasonOf(() -> receiver.unprotect(topic, hex(vector.get("protected")))))
          .as(name)
          .isEqualTo(expected);
      if (name.contains("future")) {
        E4Client strict = negativeContext(vector.get("context").asText(), clock, Duration.ZERO);
        assertThat(reasonOf(() -> strict.unprotect(topic, hex(vector.get("protected")))))
            .as(name + " with no clock skew, as e4go")
            .isEqualTo(Reason.TIMESTAMP_IN_FUTURE);
      }
      cases++;
    }
    report("g_negative_cases", cases);
  }

  private static E4Client negativeContext(String context, Clock clock, Duration skew) {
    String temperature = "sensors/temperature";
    switch (context) {
      case "sym-message", "sym-command" -> {
        E4Client client =
            E4Client.builder()
                .name("sym-client-1")
                .key(d32("sym-client-key-1"))
                .clock(clock)
                .clockSkew(skew)
                .build();
        client.setTopicKey(temperature, d32("topic-key/sensors/temperature"));
        client.setTopicKey("sensors/humidity", d32("topic-key/sensors/humidity"));
        return client;
      }
      case "pk-message" -> {
        E4Client client = pkContextClient("pk-client-B", clock, skew);
        client.setTopicKey(temperature, d32("topic-key/sensors/temperature"));
        client.addPublicKey(
            Keys.idFromName("pk-client-A"),
            Keys.ed25519Public(
                io.e4j.core.internal.crypto.Signing.privateKeyFromSeed(
                    d32("ed25519-seed/pk-client-A"))));
        return client;
      }
      case "pk-command" -> {
        return pkContextClient("pk-client-A", clock, skew);
      }
      default -> throw new AssertionError("unknown context " + context);
    }
  }

  private static E4Client pkContextClient(String alias, Clock clock, Duration skew) {
    return E4Client.builder()
        .name(alias)
        .signingKey(
            io.e4j.core.internal.crypto.Signing.privateKeyFromSeed(d32("ed25519-seed/" + alias)))
        .c2PublicKey(Keys.curve25519PublicFromPrivate(d32("c2-curve25519-private")))
        .clock(clock)
        .clockSkew(skew)
        .build();
  }

  @Test
  void h_goClientStateFiles() {
    JsonNode section = VECTORS.get("h_client_state_json");
    int cases = 0;
    for (String client : new String[] {"symmetric_client", "pubkey_client"}) {
      for (String stage : new String[] {"json_after_NewClient", "json_final"}) {
        ClientStore store = ClientStore.memory();
        E4Client imported =
            VectorFiles.importGoStore(
                section.get(client).get(stage).asText(), store, NOW, directory);
        if (stage.equals("json_final")) {
          assertThat(VectorFiles.stateView(store))
              .as(client)
              .isEqualTo(VectorFiles.stateView(section.get(client).get("state_final")));
        }
        assertThat(imported.controlTopic()).isEqualTo("e4/" + Bytes.hex(imported.id()));
        cases++;
      }
    }
    report("h_client_state_json", cases);
  }

  @Test
  void h_goClientStateFilesOnDisk() {
    JsonNode section = VECTORS.get("h_client_state_json");
    Map<String, String> files =
        Map.of(
            "e4go/state-symmetric-client.json", "symmetric_client",
            "e4go/state-pubkey-client.json", "pubkey_client");
    for (Map.Entry<String, String> file : files.entrySet()) {
      String json = String.join("\n", VectorFiles.lines(file.getKey())) + "\n";
      assertThat(json).isEqualTo(section.get(file.getValue()).get("json_final").asText());
      ClientStore store = ClientStore.memory();
      VectorFiles.importGoStore(json, store, NOW, directory);
      assertThat(VectorFiles.stateView(store))
          .isEqualTo(VectorFiles.stateView(section.get(file.getValue()).get("state_final")));
    }
    report("state-*.json files", files.size());
  }

  @Test
  void selfChecks_allHeldForTheGoClient() {
    int cases = 0;
    for (JsonNode check : VECTORS.get("self_checks")) {
      assertThat(check.get("ok").asBoolean()).as(check.get("name").asText()).isTrue();
      cases++;
    }
    report("self_checks", cases);
  }

  @Test
  void meta_pinsTheReferenceNow() {
    assertThat(VECTORS.get("meta").get("reference_now").asLong()).isEqualTo(REFERENCE_NOW);
  }

  /** A clock the scenario sets by hand. */
  private static final class MovingClock extends Clock {
    private volatile long seconds;

    MovingClock(long seconds) {
      this.seconds = seconds;
    }

    void set(long newSeconds) {
      seconds = newSeconds;
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochSecond(seconds);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
