package io.e4j.core.vectors;

import static io.e4j.core.vectors.VectorFiles.clockAt;
import static io.e4j.core.vectors.VectorFiles.hex;
import static io.e4j.core.vectors.VectorFiles.reasonOf;
import static io.e4j.core.vectors.VectorFiles.sha3;
import static io.e4j.core.vectors.VectorFiles.unhex;
import static io.e4j.core.vectors.VectorFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.subtle.AesSiv;
import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception.Reason;
import io.e4j.core.KeyReport;
import io.e4j.core.KeyReports;
import io.e4j.core.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

/**
 * docs/vectors/key-reports.json: every vector is made again from the implementation and must equal
 * the file byte for byte; then each is checked from the file alone, with the JDK's SHA3-256 and
 * Ed25519 and Google Tink's AES-SIV standing in for e4j's own. {@code -De4j.writeVectors=true}
 * rewrites the file (review the diff: a change is a change of the wire format).
 */
class KeyReportVectorsTest {
  static final Path FILE =
      Path.of(System.getProperty("user.dir")).getParent().resolve("docs/vectors/key-reports.json");

  private static final long COMMANDS_AT = 1_700_000_000L;
  private static final long REPORT_AT = 1_700_000_005L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A fixed 32-byte input: SHA3-256 of {@code "e4j-key-reports/" + label}. */
  static byte[] input(String label) {
    return sha3(utf8("e4j-key-reports/" + label));
  }

  @Test
  void theFile_isWhatTheImplementationMakes_byteForByte() throws IOException {
    String generated = serialize(generate());
    if (Boolean.getBoolean("e4j.writeVectors")) {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, generated, StandardCharsets.UTF_8);
      System.out.println("KeyReportVectorsTest: wrote " + FILE);
    }

    assertThat(Files.readString(FILE, StandardCharsets.UTF_8))
        .as("%s; rewrite with -De4j.writeVectors=true after reviewing the change", FILE)
        .isEqualTo(generated);
  }

  @Test
  void everyDerivation_isTheLabelledSha3OfItsInput() throws IOException {
    JsonNode derivations = read().get("derivations");
    int checked = 0;
    for (JsonNode vector : derivations.get("broker_password")) {
      byte[] hash = labelled("e4j broker password v1", unhex(vector.get("command_key")));
      assertThat(vector.get("password").asText())
          .isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(hash))
          .isEqualTo(KeyReports.brokerPassword(unhex(vector.get("command_key"))));
      checked++;
    }
    for (JsonNode vector : derivations.get("report_key")) {
      assertThat(unhex(vector.get("report_key")))
          .isEqualTo(labelled("e4j key report v1", unhex(vector.get("command_key"))));
      checked++;
    }
    for (JsonNode vector : derivations.get("client_key_fingerprint")) {
      byte[] key = unhex(vector.get("client_key"));
      assertThat(unhex(vector.get("fingerprint")))
          .isEqualTo(truncated(labelled("e4j client key fingerprint v1", key)))
          .isEqualTo(KeyReports.ownKeyFingerprint(E4Client.Mode.SYMMETRIC, key));
      checked++;
    }
    for (JsonNode vector : derivations.get("signing_key_fingerprint")) {
      byte[] key = unhex(vector.get("ed25519_public_key"));
      assertThat(unhex(vector.get("fingerprint")))
          .isEqualTo(truncated(labelled("e4j signing key fingerprint v1", key)))
          .isEqualTo(KeyReports.ownKeyFingerprint(E4Client.Mode.PUBLIC_KEY, key));
      checked++;
    }
    for (JsonNode vector : derivations.get("c2_key_fingerprint")) {
      byte[] key = unhex(vector.get("c2_public_key"));
      assertThat(unhex(vector.get("fingerprint")))
          .isEqualTo(truncated(labelled("e4j c2 key fingerprint v1", key)))
          .isEqualTo(KeyReports.c2KeyFingerprint(key));
      checked++;
    }
    for (JsonNode vector : derivations.get("topic_key_fingerprint")) {
      byte[] hash = unhex(vector.get("topic_hash"));
      byte[] key = unhex(vector.get("topic_key"));
      assertThat(hash).isEqualTo(Arrays.copyOf(sha3(utf8(vector.get("topic").asText())), 16));
      assertThat(unhex(vector.get("fingerprint")))
          .isEqualTo(truncated(labelled("e4j topic key fingerprint v1", hash, key)))
          .isEqualTo(KeyReports.topicKeyFingerprint(hash, key));
      checked++;
    }
    System.out.println("KeyReportVectorsTest: " + checked + " derivations checked with the JDK");
  }

  @Test
  void everyReport_opensWithTheKeysInTheFile_andSaysWhatTheFileSays()
      throws IOException, GeneralSecurityException {
    int checked = 0;
    for (JsonNode vector : read().get("reports")) {
      byte[] report = unhex(vector.get("report"));
      boolean signed = vector.get("mode").asText().equals("public-key");
      byte[] commandKey = unhex(vector.get(signed ? "shared_command_key" : "client_key"));
      JsonNode layout = vector.get("layout");
      byte[] header = unhex(layout.get("header"));
      byte[] sealed = concat(unhex(layout.get("tag")), unhex(layout.get("ciphertext")));
      byte[] signature = signed ? unhex(layout.get("signature")) : new byte[0];
      assertThat(concat(header, sealed, signature)).isEqualTo(report);
      byte[] reportKey = labelled("e4j key report v1", commandKey);
      assertThat(new AesSiv(concat(reportKey, reportKey)).decryptDeterministically(sealed, header))
          .as("%s: the body, opened by Tink", vector.get("name").asText())
          .isEqualTo(unhex(layout.get("body")));
      if (signed) {
        assertThat(
                jdkVerifies(
                    unhex(vector.get("ed25519_public_key")), concat(header, sealed), signature))
            .isTrue();
      }

      KeyReport opened =
          signed
              ? KeyReports.openSigned(report, commandKey, unhex(vector.get("ed25519_public_key")))
              : KeyReports.openSymmetric(report, commandKey);

      assertThat(hex(KeyReports.claimedDeviceId(report)))
          .isEqualTo(hex(opened.deviceId()))
          .isEqualTo(vector.get("device_id").asText());
      assertThat(opened.timestamp()).isEqualTo(vector.get("report_timestamp").asLong());
      assertThat(opened.sequence()).isEqualTo(vector.get("sequence").asLong());
      assertThat(opened.lastCommandTime()).isEqualTo(vector.get("last_command_time").asLong());
      assertThat(hex(opened.ownKeyFingerprint()))
          .isEqualTo(vector.get("own_key_fingerprint").asText());
      assertThat(opened.c2KeyFingerprint() == null ? null : hex(opened.c2KeyFingerprint()))
          .isEqualTo(signed ? vector.get("c2_key_fingerprint").asText() : null);
      assertThat(opened.topics()).hasSize(vector.get("topics").size());
      for (JsonNode topic : vector.get("topics")) {
        byte[] hash = unhex(topic.get("topic_hash"));
        assertThat(opened.topicKeyFingerprint(hash).map(VectorFiles::hex))
            .hasValue(topic.get("key_fingerprint").asText())
            .hasValue(hex(KeyReports.topicKeyFingerprint(hash, unhex(topic.get("topic_key")))));
      }
      checked++;
    }
    System.out.println("KeyReportVectorsTest: " + checked + " reports opened");
  }

  @Test
  void everyNegativeCase_isRefusedWithItsReason() throws IOException {
    JsonNode file = read();
    int checked = 0;
    for (JsonNode vector : file.get("negative")) {
      byte[] report = unhex(vector.get("report"));
      Reason expected = Reason.valueOf(vector.get("refusal").asText());
      Reason actual =
          switch (vector.get("open").asText()) {
            case "symmetric" ->
                reasonOf(() -> KeyReports.openSymmetric(report, unhex(vector.get("command_key"))));
            case "signed" ->
                reasonOf(
                    () ->
                        KeyReports.openSigned(
                            report,
                            unhex(vector.get("command_key")),
                            unhex(vector.get("ed25519_public_key"))));
            case "device" ->
                reasonOf(
                    () -> device(file, vector).unprotect(vector.get("topic").asText(), report));
            default -> throw new AssertionError("unknown way to open: " + vector.get("open"));
          };
      assertThat(actual).as(vector.get("name").asText()).isEqualTo(expected);
      checked++;
    }
    System.out.println("KeyReportVectorsTest: " + checked + " negative cases refused");
  }

  /** The device of the report the vector names, loaded with its keys at the report's time. */
  private static E4Client device(JsonNode file, JsonNode vector) {
    for (JsonNode report : file.get("reports")) {
      if (report.get("name").asText().equals(vector.get("device").asText())) {
        E4Client.Builder builder =
            E4Client.builder()
                .id(unhex(report.get("device_id")))
                .clock(clockAt(report.get("report_timestamp").asLong()));
        if (report.get("mode").asText().equals("public-key")) {
          builder
              .signingKey(unhex(report.get("signing_key")))
              .c2PublicKey(unhex(report.get("c2_public_key")));
        } else {
          builder.key(unhex(report.get("client_key")));
        }
        return builder.build();
      }
    }
    throw new AssertionError("no report named " + vector.get("device"));
  }

  // ---- generation ----

  /** Every vector, from the implementation. */
  static ObjectNode generate() {
    ObjectNode root = JSON.createObjectNode();
    root.put(
        "about",
        "Test vectors of e4j key reports, fingerprints and broker passwords (docs/key-reports.md)."
            + " Made by e4j-core's KeyReportVectorsTest from the implementation. Hex is lower case;"
            + " integers are decimal; fixed 32-byte inputs are SHA3-256(\"e4j-key-reports/\" +"
            + " label).");
    DeviceVector symmetric = symmetricDevice();
    DeviceVector signed = publicKeyDevice();
    root.set("derivations", derivations(symmetric, signed));
    ArrayNode reports = root.putArray("reports");
    reports.add(symmetric.json);
    reports.add(signed.json);
    root.set("negative", negativeCases(symmetric, signed));
    return root;
  }

  /** A device, what made its report, and the report as JSON. */
  private record DeviceVector(
      ObjectNode json, byte[] report, byte[] commandKey, byte[] publicKey) {}

  private static final Map<String, byte[]> TOPICS = topics();

  private static Map<String, byte[]> topics() {
    Map<String, byte[]> topics = new LinkedHashMap<>();
    topics.put("sensors/temperature", input("topic key sensors/temperature"));
    topics.put("plant/valve/7", input("topic key plant/valve/7"));
    return topics;
  }

  private static DeviceVector symmetricDevice() {
    byte[] clientKey = input("client key");
    E4Client device =
        E4Client.builder().name("meter-0042").key(clientKey).clock(clockAt(REPORT_AT)).build();
    ObjectNode json = JSON.createObjectNode();
    json.put("name", "symmetric-key device");
    json.put("mode", "symmetric-key");
    json.put("device_name", "meter-0042");
    json.put("device_id", hex(device.id()));
    json.put("client_key", hex(clientKey));
    return report(device, json, clientKey, null, Map.of());
  }

  private static DeviceVector publicKeyDevice() {
    byte[] signingKey = ed25519(input("device signing seed"));
    byte[] devicePublic = Arrays.copyOfRange(signingKey, 32, 64);
    byte[] c2Private = input("c2 private key");
    byte[] c2Public = Keys.curve25519PublicFromPrivate(c2Private);
    byte[] shared = Keys.sharedKey(c2Private, Keys.curve25519Public(devicePublic));
    E4Client device =
        E4Client.builder()
            .name("valve-0007")
            .signingKey(signingKey)
            .c2PublicKey(c2Public)
            .clock(clockAt(REPORT_AT))
            .build();
    ObjectNode json = JSON.createObjectNode();
    json.put("name", "public-key device");
    json.put("mode", "public-key");
    json.put("device_name", "valve-0007");
    json.put("device_id", hex(device.id()));
    json.put("signing_key", hex(signingKey));
    json.put("ed25519_public_key", hex(devicePublic));
    json.put("c2_private_key", hex(c2Private));
    json.put("c2_public_key", hex(c2Public));
    json.put("shared_command_key", hex(shared));
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("c2_key_fingerprint", hex(KeyReports.c2KeyFingerprint(c2Public)));
    return report(device, json, shared, devicePublic, extra);
  }

  /**
   * C2 sends the device a SetTopicKey for each topic at {@link #COMMANDS_AT}; the device applies
   * them and reports at {@link #REPORT_AT}.
   */
  private static DeviceVector report(
      E4Client device,
      ObjectNode json,
      byte[] commandKey,
      byte[] devicePublic,
      Map<String, String> extra) {
    ArrayNode commands = json.putArray("commands_applied");
    for (Map.Entry<String, byte[]> topic : TOPICS.entrySet()) {
      byte[] command = Commands.setTopicKey(topic.getValue(), topic.getKey());
      byte[] message = Commands.protect(command, commandKey, Instant.ofEpochSecond(COMMANDS_AT));
      device.unprotect(device.controlTopic(), message);
      ObjectNode applied = commands.addObject();
      applied.put("command", hex(command));
      applied.put("protected", hex(message));
    }
    byte[] report = device.keyReport();
    json.put("report_timestamp", REPORT_AT);
    json.put("sequence", 1);
    json.put("last_command_time", COMMANDS_AT);
    json.put(
        "own_key_fingerprint",
        hex(
            devicePublic == null
                ? KeyReports.ownKeyFingerprint(E4Client.Mode.SYMMETRIC, commandKey)
                : KeyReports.ownKeyFingerprint(E4Client.Mode.PUBLIC_KEY, devicePublic)));
    extra.forEach(json::put);
    ArrayNode topics = json.putArray("topics");
    TOPICS.entrySet().stream()
        .sorted(
            Map.Entry.comparingByKey(
                (a, b) -> hex(Keys.topicHash(a)).compareTo(hex(Keys.topicHash(b)))))
        .forEach(
            topic -> {
              byte[] hash = Keys.topicHash(topic.getKey());
              ObjectNode node = topics.addObject();
              node.put("topic", topic.getKey());
              node.put("topic_hash", hex(hash));
              node.put("topic_key", hex(topic.getValue()));
              node.put(
                  "key_fingerprint", hex(KeyReports.topicKeyFingerprint(hash, topic.getValue())));
            });
    json.put("report", hex(report));
    ObjectNode layout = json.putObject("layout");
    int signature = devicePublic == null ? 0 : 64;
    byte[] header = Arrays.copyOf(report, 41);
    byte[] sealed = Arrays.copyOfRange(report, 41, report.length - signature);
    layout.put("header", hex(header));
    layout.put("tag", hex(Arrays.copyOf(sealed, 16)));
    layout.put("ciphertext", hex(Arrays.copyOfRange(sealed, 16, sealed.length)));
    if (signature > 0) {
      layout.put("signature", hex(Arrays.copyOfRange(report, report.length - 64, report.length)));
    }
    layout.put("body", hex(tinkOpen(commandKey, header, sealed)));
    return new DeviceVector(json, report, commandKey, devicePublic);
  }

  private static ObjectNode derivations(DeviceVector symmetric, DeviceVector signed) {
    ObjectNode derivations = JSON.createObjectNode();
    ObjectNode labels = derivations.putObject("labels");
    labels.put("report_key", "e4j key report v1");
    labels.put("broker_password", "e4j broker password v1");
    labels.put("client_key_fingerprint", "e4j client key fingerprint v1");
    labels.put("signing_key_fingerprint", "e4j signing key fingerprint v1");
    labels.put("c2_key_fingerprint", "e4j c2 key fingerprint v1");
    labels.put("topic_key_fingerprint", "e4j topic key fingerprint v1");
    ArrayNode passwords = derivations.putArray("broker_password");
    ArrayNode reportKeys = derivations.putArray("report_key");
    for (DeviceVector device : new DeviceVector[] {symmetric, signed}) {
      ObjectNode password = passwords.addObject();
      password.put("device", device.json.get("name").asText());
      password.put("username", device.json.get("device_id").asText());
      password.put("command_key", hex(device.commandKey));
      password.put("password", KeyReports.brokerPassword(device.commandKey));
      ObjectNode reportKey = reportKeys.addObject();
      reportKey.put("device", device.json.get("name").asText());
      reportKey.put("command_key", hex(device.commandKey));
      reportKey.put("report_key", hex(labelled("e4j key report v1", device.commandKey)));
    }
    ObjectNode client = derivations.putArray("client_key_fingerprint").addObject();
    client.put("client_key", hex(symmetric.commandKey));
    client.put(
        "fingerprint",
        hex(KeyReports.ownKeyFingerprint(E4Client.Mode.SYMMETRIC, symmetric.commandKey)));
    ObjectNode signing = derivations.putArray("signing_key_fingerprint").addObject();
    signing.put("ed25519_public_key", hex(signed.publicKey));
    signing.put(
        "fingerprint",
        hex(KeyReports.ownKeyFingerprint(E4Client.Mode.PUBLIC_KEY, signed.publicKey)));
    ObjectNode c2 = derivations.putArray("c2_key_fingerprint").addObject();
    byte[] c2Public = unhex(signed.json.get("c2_public_key"));
    c2.put("c2_public_key", hex(c2Public));
    c2.put("fingerprint", hex(KeyReports.c2KeyFingerprint(c2Public)));
    ArrayNode topics = derivations.putArray("topic_key_fingerprint");
    byte[] sameKey = input("one key, two topics");
    for (String topic : new String[] {"sensors/temperature", "sensors/humidity"}) {
      ObjectNode node = topics.addObject();
      node.put("topic", topic);
      node.put("topic_hash", hex(Keys.topicHash(topic)));
      node.put("topic_key", hex(sameKey));
      node.put("fingerprint", hex(KeyReports.topicKeyFingerprint(Keys.topicHash(topic), sameKey)));
    }
    return derivations;
  }

  private static ArrayNode negativeCases(DeviceVector symmetric, DeviceVector signed) {
    ArrayNode cases = JSON.createArrayNode();
    byte[] tamperedBody = symmetric.report.clone();
    tamperedBody[symmetric.report.length - 1] ^= 0x01;
    negative(
        cases,
        "tampered byte: last ciphertext byte (SK)",
        tamperedBody,
        symmetric,
        Reason.NOT_AUTHENTIC);
    byte[] tamperedSequence = symmetric.report.clone();
    tamperedSequence[33] ^= 0x01;
    negative(
        cases,
        "tampered byte: sequence in the header (SK)",
        tamperedSequence,
        symmetric,
        Reason.NOT_AUTHENTIC);
    byte[] tamperedSigned = signed.report.clone();
    tamperedSigned[60] ^= 0x01;
    negative(
        cases, "tampered byte: ciphertext (PK)", tamperedSigned, signed, Reason.INVALID_SIGNATURE);
    negative(
        cases,
        "wrong key: another client key (SK)",
        symmetric.report,
        new DeviceVector(symmetric.json, null, input("another client key"), null),
        Reason.NOT_AUTHENTIC);
    negative(
        cases,
        "wrong key: another shared key, signature valid (PK)",
        signed.report,
        new DeviceVector(signed.json, null, input("another shared key"), signed.publicKey),
        Reason.NOT_AUTHENTIC);
    byte[] otherSigner = ed25519(input("another device signing seed"));
    byte[] resigned = signed.report.clone();
    int signedLength = resigned.length - 64;
    Ed25519.sign(
        otherSigner, 0, otherSigner, 32, resigned, 0, signedLength, resigned, signedLength);
    negative(
        cases,
        "wrong signature: signed by another device (PK)",
        resigned,
        signed,
        Reason.INVALID_SIGNATURE);
    negative(
        cases,
        "wrong signature: verified with another device's public key (PK)",
        signed.report,
        new DeviceVector(
            signed.json, null, signed.commandKey, Arrays.copyOfRange(otherSigner, 32, 64)),
        Reason.INVALID_SIGNATURE);
    negative(
        cases,
        "truncated: one byte short of the smallest SK report",
        Arrays.copyOf(symmetric.report, 84),
        symmetric,
        Reason.MESSAGE_TOO_SHORT);
    negative(
        cases,
        "wrong mode: an SK report opened as PK",
        symmetric.report,
        new DeviceVector(symmetric.json, null, symmetric.commandKey, signed.publicKey),
        Reason.WRONG_MODE);
    for (DeviceVector device : new DeviceVector[] {symmetric, signed}) {
      ObjectNode node = cases.addObject();
      node.put("name", "report replayed as a command, to the " + device.json.get("name").asText());
      node.put("report", hex(device.report));
      node.put("open", "device");
      node.put("device", device.json.get("name").asText());
      node.put("topic", Keys.controlTopic(unhex(device.json.get("device_id"))));
      node.put("as_e4_timestamp", Long.toUnsignedString(VectorFiles.timestampOf(device.report)));
      node.put("refusal", Reason.TIMESTAMP_IN_FUTURE.name());
    }
    return cases;
  }

  private static void negative(
      ArrayNode cases, String name, byte[] report, DeviceVector keys, Reason refusal) {
    ObjectNode node = cases.addObject();
    node.put("name", name);
    node.put("report", hex(report));
    node.put("open", keys.publicKey == null ? "symmetric" : "signed");
    node.put("command_key", hex(keys.commandKey));
    if (keys.publicKey != null) {
      node.put("ed25519_public_key", hex(keys.publicKey));
    }
    node.put("refusal", refusal.name());
  }

  // ---- independent references and helpers ----

  private static byte[] labelled(String label, byte[]... inputs) {
    byte[][] parts = new byte[inputs.length + 1][];
    parts[0] = concat(label.getBytes(StandardCharsets.US_ASCII), new byte[1]);
    System.arraycopy(inputs, 0, parts, 1, inputs.length);
    return sha3(concat(parts));
  }

  private static byte[] truncated(byte[] hash) {
    return Arrays.copyOf(hash, 16);
  }

  private static byte[] tinkOpen(byte[] commandKey, byte[] header, byte[] sealed) {
    byte[] reportKey = labelled("e4j key report v1", commandKey);
    try {
      return new AesSiv(concat(reportKey, reportKey)).decryptDeterministically(sealed, header);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink cannot open the report e4j sealed", e);
    }
  }

  private static boolean jdkVerifies(byte[] publicKey, byte[] message, byte[] signature)
      throws GeneralSecurityException {
    byte[] x509 = concat(unhex("302a300506032b6570032100"), publicKey);
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(
        KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509)));
    verifier.update(message);
    return verifier.verify(signature);
  }

  private static byte[] ed25519(byte[] seed) {
    byte[] privateKey = Arrays.copyOf(seed, 64);
    Ed25519.generatePublicKey(seed, 0, privateKey, 32);
    return privateKey;
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int off = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, off, part.length);
      off += part.length;
    }
    return out;
  }

  private static JsonNode read() throws IOException {
    return JSON.readTree(FILE.toFile());
  }

  static String serialize(JsonNode node) throws IOException {
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter().withObjectIndenter(indenter).withArrayIndenter(indenter);
    return JSON.writer(printer).writeValueAsString(node) + "\n";
  }
}
