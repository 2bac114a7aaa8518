package io.e4j.core.vectors;

import static io.e4j.core.vectors.ReferenceInputs.PK_CLIENT_A;
import static io.e4j.core.vectors.ReferenceInputs.PK_CLIENT_B;
import static io.e4j.core.vectors.ReferenceInputs.TEMPERATURE;
import static io.e4j.core.vectors.ReferenceInputs.VALVE;
import static io.e4j.core.vectors.VectorFiles.REFERENCE_NOW;
import static io.e4j.core.vectors.VectorFiles.clockAt;
import static io.e4j.core.vectors.VectorFiles.digest;
import static io.e4j.core.vectors.VectorFiles.hex;
import static io.e4j.core.vectors.VectorFiles.reasonOf;
import static io.e4j.core.vectors.VectorFiles.sha3Truncated16;
import static io.e4j.core.vectors.VectorFiles.timestampBytes;
import static io.e4j.core.vectors.VectorFiles.unhex;
import static io.e4j.core.vectors.VectorFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.crypto.tink.subtle.AesSiv;
import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.E4Exception.Reason;
import io.e4j.core.Keys;
import io.e4j.core.MutableClock;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self_checks of e4go-vectors.json: consistency checks the generator ran against e4go, all
 * true. Each is repeated here against e4j, with the same data, the same live clock where e4go's was
 * live, and independent references where e4go compared with a construction: Google Tink's AES-SIV,
 * BouncyCastle's Argon2 and the JDK's SHA-3, SHA-512 and Ed25519.
 */
class E4goSelfChecksTest {
  private static final JsonNode VECTORS = VectorFiles.e4go();
  private static final Clock NOW = clockAt(REFERENCE_NOW);
  private static final Clock LIVE = Clock.systemUTC();
  private static final byte[] PAYLOAD = utf8("self-check");
  private static final JsonNode TRANSITION = VECTORS.get("f_key_transition");
  private static final byte[] OLD_KEY = unhex(TRANSITION.get("old_key"));
  private static final byte[] NEW_KEY = unhex(TRANSITION.get("new_key"));
  private static final byte[] THIRD_KEY = unhex(TRANSITION.get("third_key"));

  @TempDir Path directory;

  private final List<Counterpart> counterparts =
      List.of(
          new Counterpart("HashTopic is SHA3-256\\[:16\\] for (.+)", this::topicHash),
          new Counterpart("b: Decrypt roundtrip (.+)", this::decryptsMessage),
          new Counterpart("b: length = 24\\+n (.+)", this::messageLength),
          new Counterpart(
              "b: e4crypto.ProtectSymKey == ts\\|\\|Encrypt\\(key,ts,pt\\) (.+)",
              this::protectIsConstruction),
          new Counterpart("b: UnprotectSymKey live roundtrip (.+)", this::liveRoundTrip),
          new Counterpart(
              "b: UnprotectSymKey rejects 24-byte \\(empty plaintext\\) message",
              this::emptyPayloadAccepted),
          new Counterpart("c: Decrypt roundtrip (.+)", this::decryptsCommand),
          new Counterpart("d: DeriveSymKey is Argon2i (.+)", this::argon2i),
          new Counterpart("d: ed25519 seed == DeriveSymKey (.+)", this::seedIsSymmetricKey),
          new Counterpart("d: SymNameAndPassword client id/key", this::symmetricNameAndPassword),
          new Counterpart("d: PubNameAndPassword.PubKey", this::publicKeyNameAndPassword),
          new Counterpart(
              "d: Ed25519PrivateKeyFromPassword also rejects short password",
              this::shortPasswordRejected),
          new Counterpart(
              "e: X25519\\(conv\\(priv\\),9\\) == conv\\(pub\\) for (.+)", this::conversionsAgree),
          new Counterpart(
              "e: conv\\(priv\\) == clamp\\(SHA512\\(seed\\)\\[:32\\]\\) for (.+)",
              this::privateConversion),
          new Counterpart("e: Go private key = seed\\|\\|pub for (.+)", this::goPrivateKeyLayout),
          new Counterpart("e: client and C2 shared key agree (.+)/(.+)", this::sharedKeyAgrees),
          new Counterpart("e: PK message verify\\+decrypt (.+)", this::publicKeyMessageOpens),
          new Counterpart(
              "e: e4go PK ProtectMessage == constructed layout (.+)", this::publicKeyMessageLayout),
          new Counterpart(
              "e: client B unprotects A's live PK message (.+)", this::livePublicKeyMessage),
          new Counterpart(
              "f: old key stored under hash-of-hash as key\\|\\|LE64\\(now\\)",
              this::transitionEntryLayout),
          new Counterpart("f: new key stored under topic hash", this::newKeyIsCurrent),
          new Counterpart(
              "f: live message under old key accepted after transition", this::liveOldKeyMessage),
          new Counterpart(
              "f: re-sending the same key leaves the transition entry unchanged",
              this::sameKeyKeepsTransition),
          new Counterpart(
              "f: after a second change the first key is gone", this::secondChangeDropsFirstKey),
          new Counterpart(
              "f: second change stores previous \\(new\\) key", this::secondChangeKeepsNewKey),
          new Counterpart(
              "f: RemoveTopic deletes current and transition entries",
              this::removeTopicDeletesBoth),
          new Counterpart("f: PK mode key transition fallback", this::publicKeyTransition),
          new Counterpart(
              "h: LoadClient\\(saved JSON\\) can protect with stored topic key",
              this::loadedClientsProtect),
          new Counterpart("h: loaded sym client protects with valve key", this::loadedValveKey),
          new Counterpart(
              "lib: symmetric client ProtectMessage == ts\\|\\|Encrypt\\(topicKey, ts, pt\\)",
              this::liveProtectIsConstruction),
          new Counterpart(
              "lib: symmetric client Unprotect\\(ProtectMessage\\)", this::liveClientRoundTrip),
          new Counterpart(
              "lib: ProtectMessage on unknown topic -> ErrTopicKeyNotFound",
              this::unknownTopicRefused));

  /** An e4go self-check's name and the e4j check that repeats it. */
  private record Counterpart(Pattern name, BiConsumer<Matcher, JsonNode> check) {
    Counterpart(String regex, BiConsumer<Matcher, JsonNode> check) {
      this(Pattern.compile(regex), check);
    }

    /** A matcher on {@code selfCheck}, its groups filled when the name matches. */
    Matcher matcher(String selfCheck) {
      Matcher matcher = name.matcher(selfCheck);
      matcher.matches();
      return matcher;
    }
  }

  @Test
  void everySelfCheck_heldForE4go_andHoldsForE4j() {
    Set<String> alreadyChecked = new HashSet<>();
    int cases = 0;
    for (JsonNode selfCheck : VECTORS.get("self_checks")) {
      String name = selfCheck.get("name").asText();
      assertThat(selfCheck.get("ok").asBoolean()).as(name).isTrue();
      Counterpart counterpart =
          counterparts.stream()
              .filter(candidate -> candidate.matcher(name).matches())
              .findFirst()
              .orElseThrow(() -> new AssertionError("no e4j counterpart for self-check " + name));
      // A few names recur without saying which data they ran on; their check covers all of it.
      if (alreadyChecked.add(name)) {
        Matcher matcher = counterpart.matcher(name);
        try {
          counterpart.check().accept(matcher, selfCheck);
        } catch (AssertionError | E4Exception e) {
          throw new AssertionError(
              "self-check \"" + name + "\" fails for e4j: " + e.getMessage(), e);
        }
      }
      cases++;
    }
    System.out.println(
        "e4go self_checks: " + cases + " cases checked (all true for e4go, repeated with e4j)");
    assertThat(cases).isEqualTo(VECTORS.get("self_checks").size()).isPositive();
  }

  private static JsonNode find(JsonNode vectors, String field, String value) {
    for (JsonNode vector : vectors) {
      if (vector.get(field).asText().equals(value)) {
        return vector;
      }
    }
    throw new AssertionError("no vector with " + field + " = " + value);
  }

  private static JsonNode symmetricMessage(Matcher name) {
    return find(VECTORS.get("b_symmetric_messages"), "description", name.group(1));
  }

  private static JsonNode password(Matcher name) {
    return find(VECTORS.get("d_password_derivations").get("vectors"), "description", name.group(1));
  }

  private static JsonNode publicKeyMessage(Matcher name) {
    return find(VECTORS.get("e_public_key_mode").get("messages"), "description", name.group(1));
  }

  /** Tink's AES-SIV with E4's doubled key K || K: a reference independent of e4j's. */
  private static AesSiv tinkSiv(byte[] key) {
    try {
      byte[] doubled = Arrays.copyOf(key, 2 * key.length);
      System.arraycopy(key, 0, doubled, key.length, key.length);
      return new AesSiv(doubled);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** timestamp || AES-SIV(key, ad = timestamp, plaintext), the symmetric layout. */
  private static String construction(byte[] key, long timestamp, byte[] plaintext) {
    try {
      byte[] ad = timestampBytes(timestamp);
      return hex(ad) + hex(tinkSiv(key).encryptDeterministically(plaintext, ad));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static E4Client symmetricClient(String name, Clock clock) {
    return E4Client.builder().name(name).key(Keys.randomKey()).clock(clock).build();
  }

  private static E4Client publicKeyClient(String alias, Clock clock) {
    return E4Client.builder()
        .name(alias)
        .signingKey(ReferenceInputs.ed25519Private(alias))
        .c2PublicKey(ReferenceInputs.c2Public(0))
        .clock(clock)
        .build();
  }

  /** Protects {@code command} under {@code key} at the client's clock and applies it. */
  private static void apply(E4Client client, byte[] command, byte[] key, Clock clock) {
    assertThat(
            client.unprotect(
                client.controlTopic(), Commands.protect(command, key, clock.instant())))
        .isEmpty();
  }

  // HashTopic

  private void topicHash(Matcher name, JsonNode selfCheck) {
    JsonNode vector = find(VECTORS.get("a_topic_hashes"), "description", name.group(1));
    byte[] bytes = unhex(vector.get("input_utf8_hex"));
    String expected = hex(sha3Truncated16(bytes));
    assertThat(expected).isEqualTo(vector.get("hash").asText());
    if (bytes.length >= 1 && bytes.length <= 512) {
      assertThat(hex(Keys.topicHash(vector.get("input").asText()))).isEqualTo(expected);
    } else {
      // Deliberate: e4j refuses topics the protocol forbids (section a).
      assertThat(reasonOf(() -> Keys.topicHash(vector.get("input").asText())))
          .isEqualTo(Reason.INVALID_TOPIC);
    }
  }

  // b: symmetric messages

  private void decryptsMessage(Matcher name, JsonNode selfCheck) {
    JsonNode vector = symmetricMessage(name);
    byte[] message = unhex(vector.get("protected"));
    E4Client receiver = symmetricClient("receiver", NOW);
    receiver.setTopicKey(vector.get("topic").asText(), unhex(vector.get("key")));
    assertThat(receiver.unprotect(vector.get("topic").asText(), message))
        .contains(unhex(vector.get("plaintext")));
  }

  private void messageLength(Matcher name, JsonNode selfCheck) {
    JsonNode vector = symmetricMessage(name);
    E4Client sender = symmetricClient("sender", NOW);
    sender.setTopicKey(TEMPERATURE, unhex(vector.get("key")));
    byte[] plaintext = unhex(vector.get("plaintext"));
    assertThat(sender.protect(TEMPERATURE, plaintext)).hasSize(24 + plaintext.length);
  }

  private void protectIsConstruction(Matcher name, JsonNode selfCheck) {
    JsonNode vector = symmetricMessage(name);
    long timestamp = vector.get("timestamp").asLong();
    byte[] key = unhex(vector.get("key"));
    byte[] plaintext = unhex(vector.get("plaintext"));
    E4Client sender = symmetricClient("sender", clockAt(timestamp));
    sender.setTopicKey(vector.get("topic").asText(), key);
    assertThat(hex(sender.protect(vector.get("topic").asText(), plaintext)))
        .isEqualTo(construction(key, timestamp, plaintext))
        .isEqualTo(vector.get("protected").asText());
  }

  private void liveRoundTrip(Matcher name, JsonNode selfCheck) {
    JsonNode vector = symmetricMessage(name);
    assertThat(liveRoundTrip(unhex(vector.get("key")), unhex(vector.get("plaintext"))))
        .contains(unhex(vector.get("plaintext")));
  }

  private static Optional<byte[]> liveRoundTrip(byte[] key, byte[] plaintext) {
    E4Client sender = symmetricClient("sender", LIVE);
    sender.setTopicKey(TEMPERATURE, key);
    E4Client receiver = symmetricClient("receiver", LIVE);
    receiver.setTopicKey(TEMPERATURE, key);
    return receiver.unprotect(TEMPERATURE, sender.protect(TEMPERATURE, plaintext));
  }

  /** e4go refuses the 24-byte message of an empty payload; e4j deliberately reads it. */
  private void emptyPayloadAccepted(Matcher name, JsonNode selfCheck) {
    assertThat(selfCheck.get("detail").asText()).isEqualTo("ciphertext too short");
    assertThat(liveRoundTrip(Keys.randomKey(), new byte[0])).contains(new byte[0]);
  }

  // c: commands

  private void decryptsCommand(Matcher name, JsonNode selfCheck) {
    JsonNode vector = find(VECTORS.get("c_symmetric_commands"), "builder", name.group(1));
    byte[] message = unhex(vector.get("protected"));
    byte[] timestamp = Arrays.copyOfRange(message, 0, 8);
    try {
      byte[] command =
          tinkSiv(unhex(vector.get("protect_key")))
              .decryptDeterministically(Arrays.copyOfRange(message, 8, message.length), timestamp);
      assertThat(hex(command)).isEqualTo(vector.get("command").asText());
    } catch (GeneralSecurityException e) {
      throw new AssertionError(name.group(0), e);
    }
  }

  // d: passwords

  /** BouncyCastle's Argon2i with the parameters the vectors state, next to e4j's derivation. */
  private void argon2i(Matcher name, JsonNode selfCheck) {
    JsonNode vector = password(name);
    JsonNode parameters = VECTORS.get("d_password_derivations").get("parameters");
    Argon2BytesGenerator argon2 = new Argon2BytesGenerator();
    argon2.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_i)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withIterations(parameters.get("time_cost").asInt())
            .withMemoryAsKB(parameters.get("memory_cost_KiB").asInt())
            .withParallelism(parameters.get("parallelism").asInt())
            .withSalt(new byte[0])
            .build());
    byte[] reference = new byte[parameters.get("output_len").asInt()];
    argon2.generateBytes(utf8(vector.get("password").asText()), reference);
    assertThat(hex(Keys.symmetricKeyFromPassword(vector.get("password").asText())))
        .isEqualTo(hex(reference))
        .isEqualTo(vector.get("DeriveSymKey").asText());
  }

  private void seedIsSymmetricKey(Matcher name, JsonNode selfCheck) {
    String password = password(name).get("password").asText();
    assertThat(Arrays.copyOf(Keys.ed25519FromPassword(password), 32))
        .isEqualTo(Keys.symmetricKeyFromPassword(password));
  }

  private void symmetricNameAndPassword(Matcher name, JsonNode selfCheck) {
    for (JsonNode vector : namedPasswordClients()) {
      E4Client client =
          E4Client.builder()
              .name(vector.get("client_name").asText())
              .password(vector.get("password").asText())
              .clock(NOW)
              .build();
      assertThat(hex(client.id())).isEqualTo(vector.get("client_id_HashIDAlias(name)").asText());
      apply(client, Commands.resetTopics(), unhex(vector.get("DeriveSymKey")), NOW);
    }
  }

  private void publicKeyNameAndPassword(Matcher name, JsonNode selfCheck) {
    for (JsonNode vector : namedPasswordClients()) {
      E4Client client =
          E4Client.builder()
              .name(vector.get("client_name").asText())
              .password(vector.get("password").asText())
              .c2PublicKey(ReferenceInputs.c2Public(0))
              .clock(NOW)
              .build();
      assertThat(hex(client.publicKey())).isEqualTo(vector.get("ed25519_public").asText());
    }
  }

  private static List<JsonNode> namedPasswordClients() {
    List<JsonNode> clients = new ArrayList<>();
    VECTORS.get("d_password_derivations").get("vectors").forEach(clients::add);
    clients.removeIf(vector -> !vector.hasNonNull("client_name"));
    assertThat(clients).isNotEmpty();
    return clients;
  }

  private void shortPasswordRejected(Matcher name, JsonNode selfCheck) {
    JsonNode vector =
        find(
            VECTORS.get("d_password_derivations").get("vectors"),
            "description",
            "15 bytes: rejected");
    assertThat(reasonOf(() -> Keys.ed25519FromPassword(vector.get("password").asText())))
        .isEqualTo(Reason.INVALID_KEY);
  }

  // e: public-key mode

  private void conversionsAgree(Matcher name, JsonNode selfCheck) {
    byte[] privateKey = ReferenceInputs.ed25519Private(name.group(1));
    assertThat(Keys.curve25519PublicFromPrivate(Keys.curve25519Private(privateKey)))
        .isEqualTo(Keys.curve25519Public(Keys.ed25519Public(privateKey)));
  }

  private void privateConversion(Matcher name, JsonNode selfCheck) {
    byte[] privateKey = ReferenceInputs.ed25519Private(name.group(1));
    byte[] clamped = Arrays.copyOf(digest("SHA-512", Arrays.copyOf(privateKey, 32)), 32);
    clamped[0] &= (byte) 248;
    clamped[31] &= 127;
    clamped[31] |= 64;
    assertThat(Keys.curve25519Private(privateKey)).isEqualTo(clamped);
  }

  /** e4j takes the 64-byte seed || public form, and refuses one whose halves do not match. */
  private void goPrivateKeyLayout(Matcher name, JsonNode selfCheck) {
    JsonNode key =
        find(VECTORS.get("e_public_key_mode").get("ed25519_keys"), "alias", name.group(1));
    E4Client client = publicKeyClient(name.group(1), NOW);
    assertThat(hex(client.publicKey())).isEqualTo(key.get("ed25519_public_key").asText());
    byte[] mismatched = unhex(key.get("ed25519_seed").asText() + hex(Keys.randomKey()));
    assertThat(reasonOf(() -> Keys.ed25519Public(mismatched))).isEqualTo(Reason.INVALID_KEY);
  }

  private void sharedKeyAgrees(Matcher name, JsonNode selfCheck) {
    byte[] clientPrivate = ReferenceInputs.ed25519Private(name.group(1));
    byte[] c2Private = VectorFiles.d32(name.group(2));
    byte[] clientSide =
        Keys.sharedKey(
            Keys.curve25519Private(clientPrivate), Keys.curve25519PublicFromPrivate(c2Private));
    byte[] c2Side =
        Keys.sharedKey(c2Private, Keys.curve25519Public(Keys.ed25519Public(clientPrivate)));
    assertThat(clientSide).isEqualTo(c2Side);
  }

  private void publicKeyMessageOpens(Matcher name, JsonNode selfCheck) {
    JsonNode vector = publicKeyMessage(name);
    E4Client receiver = publicKeyClient(PK_CLIENT_B, NOW);
    receiver.setTopicKey(vector.get("topic").asText(), unhex(vector.get("topic_key")));
    receiver.addPublicKey(
        unhex(vector.get("signer_id")), unhex(vector.get("signer_ed25519_public")));
    assertThat(receiver.unprotect(vector.get("topic").asText(), unhex(vector.get("protected"))))
        .contains(unhex(vector.get("plaintext")));
  }

  /** ts || id || AES-SIV (Tink) || Ed25519 signature over the rest (the JDK verifies it). */
  private void publicKeyMessageLayout(Matcher name, JsonNode selfCheck) {
    JsonNode vector = publicKeyMessage(name);
    long timestamp = vector.get("timestamp").asLong();
    E4Client sender = publicKeyClient(vector.get("signer_alias").asText(), clockAt(timestamp));
    sender.setTopicKey(vector.get("topic").asText(), unhex(vector.get("topic_key")));
    byte[] message = sender.protect(vector.get("topic").asText(), unhex(vector.get("plaintext")));
    byte[] signed = Arrays.copyOf(message, message.length - 64);
    String symmetric =
        construction(unhex(vector.get("topic_key")), timestamp, unhex(vector.get("plaintext")));
    assertThat(hex(signed))
        .isEqualTo(symmetric.substring(0, 16) + hex(sender.id()) + symmetric.substring(16));
    assertThat(
            jdkVerifies(
                sender.publicKey(),
                signed,
                Arrays.copyOfRange(message, signed.length, message.length)))
        .isTrue();
    assertThat(hex(message)).isEqualTo(vector.get("protected").asText());
  }

  private static boolean jdkVerifies(byte[] publicKey, byte[] message, byte[] signature) {
    try {
      byte[] x509 = unhex("302a300506032b6570032100" + hex(publicKey));
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(
          KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509)));
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void livePublicKeyMessage(Matcher name, JsonNode selfCheck) {
    JsonNode vector = publicKeyMessage(name);
    String topic = vector.get("topic").asText();
    byte[] topicKey = unhex(vector.get("topic_key"));
    E4Client sender = publicKeyClient(PK_CLIENT_A, LIVE);
    sender.setTopicKey(topic, topicKey);
    E4Client receiver = publicKeyClient(PK_CLIENT_B, LIVE);
    receiver.setTopicKey(topic, topicKey);
    receiver.addPublicKey(sender.id(), sender.publicKey());
    byte[] plaintext = unhex(vector.get("plaintext"));
    assertThat(receiver.unprotect(topic, sender.protect(topic, plaintext))).contains(plaintext);
  }

  // f: key transition

  /** A symmetric-key receiver and the commands C2 sends it. */
  private static final class Receiver {
    final byte[] clientKey = Keys.randomKey();
    final Clock clock;
    final E4Client client;

    Receiver(Clock clock) {
      this.clock = clock;
      this.client = E4Client.builder().name("receiver").key(clientKey).clock(clock).build();
    }

    void setTopicKey(byte[] key) {
      apply(client, Commands.setTopicKey(key, TEMPERATURE), clientKey, clock);
    }

    Optional<byte[]> receive(byte[] messageKey) {
      return client.unprotect(TEMPERATURE, messageUnder(messageKey, clock));
    }

    Reason refusal(byte[] messageKey) {
      return reasonOf(() -> receive(messageKey));
    }
  }

  private static byte[] messageUnder(byte[] key, Clock clock) {
    E4Client sender = symmetricClient("sender", clock);
    sender.setTopicKey(TEMPERATURE, key);
    return sender.protect(TEMPERATURE, PAYLOAD);
  }

  /**
   * The Go client's 40-byte entry (old key || LE64 time of the change), under the hash of the topic
   * hash, imported: the old key works for an hour from that time.
   */
  private void transitionEntryLayout(Matcher name, JsonNode selfCheck) {
    String entry = selfCheck.get("detail").asText();
    assertThat(entry).startsWith(hex(OLD_KEY)).hasSize(80);
    long changedAt = VectorFiles.timestampOf(unhex(entry.substring(64)));
    String goState =
        VectorFiles.symmetricGoState(
            Map.of(
                TRANSITION.get("topic_hash").asText(),
                NEW_KEY,
                TRANSITION.get("hash_of_hash").asText(),
                unhex(entry)));
    for (long elapsed : new long[] {5, TRANSITION.get("acceptance_window_seconds").asLong() + 1}) {
      Clock clock = clockAt(changedAt + elapsed);
      E4Client client = VectorFiles.importGoState(directory, goState, clock);
      Reason outcome = reasonOf(() -> client.unprotect(TEMPERATURE, messageUnder(OLD_KEY, clock)));
      assertThat(outcome)
          .as(elapsed + " s after the change")
          .isEqualTo(elapsed == 5 ? null : Reason.NOT_AUTHENTIC);
    }
  }

  private void newKeyIsCurrent(Matcher name, JsonNode selfCheck) {
    Receiver receiver = new Receiver(NOW);
    receiver.setTopicKey(OLD_KEY);
    receiver.setTopicKey(NEW_KEY);
    E4Client reader = symmetricClient("reader", NOW);
    reader.setTopicKey(TEMPERATURE, NEW_KEY);
    assertThat(reader.unprotect(TEMPERATURE, receiver.client.protect(TEMPERATURE, PAYLOAD)))
        .contains(PAYLOAD);
  }

  private void liveOldKeyMessage(Matcher name, JsonNode selfCheck) {
    Receiver receiver = new Receiver(LIVE);
    receiver.setTopicKey(OLD_KEY);
    receiver.setTopicKey(NEW_KEY);
    assertThat(receiver.receive(OLD_KEY)).contains(PAYLOAD);
  }

  /** Sending the current key again neither ends the transition nor restarts its hour. */
  private void sameKeyKeepsTransition(Matcher name, JsonNode selfCheck) {
    MutableClock clock = MutableClock.atEpochSecond(REFERENCE_NOW);
    Receiver receiver = new Receiver(clock);
    receiver.setTopicKey(OLD_KEY);
    clock.set(REFERENCE_NOW + 10);
    receiver.setTopicKey(NEW_KEY);
    clock.set(REFERENCE_NOW + 3000);
    receiver.setTopicKey(NEW_KEY);
    assertThat(receiver.receive(OLD_KEY)).contains(PAYLOAD);
    clock.set(REFERENCE_NOW + 10 + 3601);
    assertThat(receiver.refusal(OLD_KEY)).isEqualTo(Reason.NOT_AUTHENTIC);
  }

  private void secondChangeDropsFirstKey(Matcher name, JsonNode selfCheck) {
    Receiver receiver = new Receiver(NOW);
    receiver.setTopicKey(OLD_KEY);
    receiver.setTopicKey(NEW_KEY);
    receiver.setTopicKey(THIRD_KEY);
    assertThat(receiver.refusal(OLD_KEY)).isEqualTo(Reason.NOT_AUTHENTIC);
  }

  private void secondChangeKeepsNewKey(Matcher name, JsonNode selfCheck) {
    Receiver receiver = new Receiver(NOW);
    receiver.setTopicKey(OLD_KEY);
    receiver.setTopicKey(NEW_KEY);
    receiver.setTopicKey(THIRD_KEY);
    assertThat(receiver.receive(NEW_KEY)).contains(PAYLOAD);
    assertThat(receiver.receive(THIRD_KEY)).contains(PAYLOAD);
  }

  private void removeTopicDeletesBoth(Matcher name, JsonNode selfCheck) {
    Receiver receiver = new Receiver(NOW);
    receiver.setTopicKey(OLD_KEY);
    receiver.setTopicKey(NEW_KEY);
    apply(receiver.client, Commands.removeTopic(TEMPERATURE), receiver.clientKey, NOW);
    assertThat(receiver.client.hasTopicKey(TEMPERATURE)).isFalse();
    assertThat(receiver.refusal(OLD_KEY)).isEqualTo(Reason.TOPIC_KEY_MISSING);
    receiver.client.setTopicKey(TEMPERATURE, THIRD_KEY);
    assertThat(receiver.refusal(OLD_KEY)).isEqualTo(Reason.NOT_AUTHENTIC);
    assertThat(receiver.refusal(NEW_KEY)).isEqualTo(Reason.NOT_AUTHENTIC);
  }

  private void publicKeyTransition(Matcher name, JsonNode selfCheck) {
    E4Client receiver = publicKeyClient(PK_CLIENT_A, NOW);
    byte[] commandKey =
        Keys.sharedKey(
            Keys.curve25519Private(ReferenceInputs.ed25519Private(PK_CLIENT_A)),
            ReferenceInputs.c2Public(0));
    E4Client sender = publicKeyClient(PK_CLIENT_B, NOW);
    receiver.addPublicKey(sender.id(), sender.publicKey());
    apply(receiver, Commands.setTopicKey(OLD_KEY, TEMPERATURE), commandKey, NOW);
    apply(receiver, Commands.setTopicKey(NEW_KEY, TEMPERATURE), commandKey, NOW);
    sender.setTopicKey(TEMPERATURE, OLD_KEY);
    assertThat(receiver.unprotect(TEMPERATURE, sender.protect(TEMPERATURE, PAYLOAD)))
        .contains(PAYLOAD);
  }

  // h: state files

  private void loadedClientsProtect(Matcher name, JsonNode selfCheck) {
    for (String client : List.of("symmetric_client", "pubkey_client")) {
      JsonNode files = VECTORS.get("h_client_state_json").get(client);
      E4Client loaded = VectorFiles.importGoState(directory, files.get("json_final").asText(), NOW);
      StateProbe.assertState(loaded, NOW, StateView.fromJson(files.get("state_final")), client);
    }
  }

  private void loadedValveKey(Matcher name, JsonNode selfCheck) {
    JsonNode files = VECTORS.get("h_client_state_json").get("symmetric_client");
    E4Client loaded = VectorFiles.importGoState(directory, files.get("json_final").asText(), NOW);
    E4Client reader = symmetricClient("reader", NOW);
    reader.setTopicKey(VALVE, unhex(files.get("topics_set").get(VALVE)));
    assertThat(reader.unprotect(VALVE, loaded.protect(VALVE, PAYLOAD))).contains(PAYLOAD);
  }

  // lib: the client API

  private void liveProtectIsConstruction(Matcher name, JsonNode selfCheck) {
    byte[] topicKey = ReferenceInputs.topicKey(TEMPERATURE);
    E4Client client = symmetricClient("client", LIVE);
    client.setTopicKey(TEMPERATURE, topicKey);
    byte[] message = client.protect(TEMPERATURE, PAYLOAD);
    assertThat(hex(message))
        .isEqualTo(construction(topicKey, VectorFiles.timestampOf(message), PAYLOAD));
  }

  private void liveClientRoundTrip(Matcher name, JsonNode selfCheck) {
    assertThat(liveRoundTrip(ReferenceInputs.topicKey(TEMPERATURE), PAYLOAD)).contains(PAYLOAD);
  }

  private void unknownTopicRefused(Matcher name, JsonNode selfCheck) {
    assertThat(selfCheck.get("detail").asText()).isEqualTo("topic key not found");
    E4Client client = symmetricClient("client", LIVE);
    assertThat(reasonOf(() -> client.protect("no/key/here", PAYLOAD)))
        .isEqualTo(Reason.TOPIC_KEY_MISSING);
  }
}
