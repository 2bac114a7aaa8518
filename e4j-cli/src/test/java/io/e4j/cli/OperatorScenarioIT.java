package io.e4j.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.e4j.cli.C2Fixture.Run;
import io.e4j.cli.internal.Fingerprint;
import io.e4j.cli.internal.KeyFiles;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.mqtt.E4MqttClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference's functional scenario over gRPC through the e4 command: a real C2, a real
 * Mosquitto, and real devices that receive the keys the commands send them.
 */
class OperatorScenarioIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  private C2Fixture c2;
  private final List<E4MqttClient> connected = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    c2 = C2Fixture.start(directory);
  }

  @AfterEach
  void stop() {
    connected.forEach(device -> device.disconnect().orTimeout(10, TimeUnit.SECONDS).join());
    c2.close();
  }

  private Run ok(String... args) {
    Run run = c2.e4(args);
    assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isZero();
    return run;
  }

  private Run fails(int exitCode, String... args) {
    Run run = c2.e4(args);
    assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isEqualTo(exitCode);
    assertThat(run.err()).as("one line, no stack trace").startsWith("e4: ").hasLineCount(1);
    return run;
  }

  private E4Client device(String name, byte[] key) throws Exception {
    E4Client client = E4Client.builder().name(name).key(key).store(ClientStore.memory()).build();
    E4MqttClient mqtt =
        E4MqttClient.builder(client).host("127.0.0.1").port(c2.brokerPort()).build();
    mqtt.connect().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    connected.add(mqtt);
    return client;
  }

  @Test
  void theFunctionalScenario_throughTheE4Command() throws Exception {
    Run login =
        ok("login", "--endpoint", c2.endpoint(), "--token-file", c2.adminTokenFile().toString());
    Fingerprint served = Fingerprint.of(certificate(c2.server().apiCertificate().orElseThrow()));
    assertThat(login.out())
        .contains("pinned server certificate SHA-256 " + served)
        .contains("logged in to " + c2.endpoint() + " as admin (ADMIN)");
    Path profiles = directory.resolve("e4-config/profiles.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(profiles)))
        .isEqualTo("rw-------");
    String adminToken = Files.readString(c2.adminTokenFile(), UTF_8).strip();
    assertThat(Files.readString(profiles)).contains(served.hex()).doesNotContain(adminToken);
    assertThat(ok("whoami").out()).startsWith("admin (ADMIN) at " + c2.endpoint());

    List<E4Client> devices = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      byte[] key = Keys.randomKey();
      Path keyFile = directory.resolve("device-" + i + ".key");
      KeyFiles.writePrivate(keyFile, key, false);
      assertThat(ok("devices", "create", "device-" + i, "--key-file", keyFile.toString()).out())
          .startsWith("created device device-" + i + " (id ");
      ok("topics", "create", "topic/" + i);
      devices.add(device("device-" + i, key));
    }
    JsonNode status = JSON.readTree(ok("status", "-o", "json").out());
    assertThat(status.at("/counts/devices").asLong()).isEqualTo(4);
    assertThat(status.at("/counts/topics").asLong()).isEqualTo(4);
    assertThat(status.get("mode").asText()).isEqualTo("SYMMETRIC_KEY");
    assertThat(ok("status").out()).containsPattern("SYMMETRIC_KEY +4 +4 ");
    fails(4, "devices", "create", "device-0", "--generate");
    fails(3, "devices", "show", "device-9");

    for (int i = 0; i < 4; i++) {
      ok("link", "device-" + i, "topic/" + i);
    }
    for (int i = 0; i < 4; i++) {
      E4Client device = devices.get(i);
      String topic = "topic/" + i;
      await().atMost(WAIT).until(() -> device.hasTopicKey(topic));
    }
    JsonNode topicsOfDevice1 =
        JSON.readTree(ok("devices", "topics", "device-1", "-o", "json").out());
    assertThat(topicsOfDevice1.get("topics")).hasSize(1);
    assertThat(topicsOfDevice1.at("/topics/0/name").asText()).isEqualTo("topic/1");
    assertThat(ok("devices", "topics", "device-1").out())
        .startsWith("TOPIC ")
        .containsPattern("\ntopic/1 +1 ");
    String devicesOfTopic2 = ok("topics", "devices", "topic/2").out();
    assertThat(devicesOfTopic2.lines()).hasSize(2);
    assertThat(devicesOfTopic2).contains("device-2").doesNotContain("device-1");
    assertThat(ok("devices", "show", "device-2").out())
        .contains("topics")
        .containsPattern("topics +1")
        .contains("SetTopicKey");

    ok("unlink", "device-0", "topic/0");
    await().atMost(WAIT).until(() -> !devices.get(0).hasTopicKey("topic/0"));
    fails(3, "unlink", "device-0", "topic/0");

    ok("topics", "remove", "topic/3");
    await().atMost(WAIT).until(() -> !devices.get(3).hasTopicKey("topic/3"));
    fails(3, "topics", "remove", "topic/3");

    assertThat(ok("topics", "rotate", "topic/1").out()).contains("key version 2");
    Path message = directory.resolve("message.bin");
    ok(
        "message",
        "protect",
        "--topic",
        "topic/1",
        "--text",
        "after rotation",
        "--out",
        message.toString());
    byte[] protectedMessage = Files.readAllBytes(message);
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .until(
            () -> devices.get(1).unprotect("topic/1", protectedMessage),
            payload ->
                payload
                    .map(bytes -> new String(bytes, UTF_8))
                    .equals(Optional.of("after rotation")));
    Path opened = directory.resolve("opened.txt");
    ok(
        "message",
        "unprotect",
        "--topic",
        "topic/1",
        "--file",
        message.toString(),
        "--out",
        opened.toString());
    assertThat(Files.readString(opened)).isEqualTo("after rotation");

    // reset is sent under the device's new key: the device forgetting its topic proves it has it
    ok("devices", "new-key", "device-2");
    ok("devices", "reset", "device-2");
    await().atMost(WAIT).until(() -> !devices.get(2).hasTopicKey("topic/2"));
    assertThat(ok("devices", "topics", "device-2").out().lines()).hasSize(1);
    ok("devices", "resync", "device-1");

    String events = ok("events").out();
    for (String type :
        List.of(
            "DEVICE_CREATED",
            "TOPIC_CREATED",
            "LINKED",
            "UNLINKED",
            "TOPIC_REMOVED",
            "TOPIC_ROTATED",
            "DEVICE_KEY_CHANGED",
            "DEVICE_RESET",
            "DEVICE_RESYNCED")) {
      assertThat(events).as(type).containsPattern(" " + type + " +admin ");
    }
    assertThat(events).containsPattern("LINKED +admin +device=device-3 +topic=topic/3");
    List<JsonNode> jsonEvents = new ArrayList<>();
    for (String line : ok("events", "-o", "json").out().lines().toList()) {
      jsonEvents.add(JSON.readTree(line));
    }
    assertThat(jsonEvents).hasSameSizeAs(events.lines().toList());
    for (int i = 1; i < jsonEvents.size(); i++) {
      assertThat(jsonEvents.get(i).get("sequence").asLong())
          .isGreaterThan(jsonEvents.get(i - 1).get("sequence").asLong());
    }
    long middle = jsonEvents.get(jsonEvents.size() / 2).get("sequence").asLong();
    assertThat(ok("events", "--from", Long.toString(middle)).out().lines())
        .hasSize(jsonEvents.size() - jsonEvents.size() / 2 - 1);

    String audit = ok("audit", "--limit", "200").out();
    assertThat(audit)
        .containsPattern("admin +ADMIN +CreateDevice +device-0 +OK")
        .containsPattern("admin +ADMIN +Link ")
        .containsPattern("admin +ADMIN +Unlink .*NOT_FOUND")
        .containsPattern("admin +ADMIN +RotateTopic +topic/1 +OK");
  }

  @Test
  void tokensAndRoles_andACertificateThatIsNotThePinnedOne() throws Exception {
    ok("login", "--endpoint", c2.endpoint(), "--token-file", c2.adminTokenFile().toString());
    Path viewerToken = directory.resolve("watcher.token");
    Run created =
        ok(
            "token",
            "create",
            "--role",
            "viewer",
            "--name",
            "watcher",
            "--token-out",
            viewerToken.toString());
    assertThat(created.out())
        .contains("created token watcher (VIEWER)")
        .contains(viewerToken.toString());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(viewerToken)))
        .isEqualTo("rw-------");
    String secret = Files.readString(viewerToken).strip();
    assertThat(created.out()).doesNotContain(secret);

    assertThat(
            ok(
                    "login",
                    "--endpoint",
                    c2.endpoint(),
                    "--token-file",
                    viewerToken.toString(),
                    "--name",
                    "viewer")
                .out())
        .contains("as watcher (VIEWER)");
    ok("topics", "list", "--profile", "viewer");
    assertThat(fails(5, "topics", "create", "denied/topic", "--profile", "viewer").err())
        .contains("VIEWER");
    assertThat(ok("token", "list").out()).containsPattern("watcher +VIEWER").doesNotContain(secret);
    ok("token", "revoke", "watcher");
    fails(5, "whoami", "--profile", "viewer");
    fails(3, "token", "revoke", "watcher");

    Run printed = ok("token", "create", "--role", "operator", "--name", "ops", "-o", "json");
    assertThat(JSON.readTree(printed.out()).get("token").asText()).isNotEmpty();

    Run wrongPin =
        fails(
            6,
            "login",
            "--endpoint",
            c2.endpoint(),
            "--token-file",
            c2.adminTokenFile().toString(),
            "--name",
            "wrong",
            "--fingerprint",
            "00".repeat(32));
    assertThat(wrongPin.err()).contains("not the pinned one");
    assertThat(Files.readString(directory.resolve("e4-config/profiles.json")))
        .doesNotContain("\"wrong\"");
  }

  @Test
  void aDevicesFile_linksEachLine_andReportsTheBadOnesByLine() throws Exception {
    ok("login", "--endpoint", c2.endpoint(), "--token-file", c2.adminTokenFile().toString());
    ok("topics", "create", "fleet/all");
    for (int i = 0; i < 3; i++) {
      ok("devices", "create", "fleet-" + i, "--generate");
    }
    Path list = directory.resolve("fleet.txt");
    Files.writeString(list, "# the fleet\nfleet-0\n\nfleet-1\nid:xyz\nfleet-9\nfleet-2\n");
    Run linked = c2.e4("link", "--topic", "fleet/all", "--devices-file", list.toString());
    assertThat(linked.exitCode()).as(linked.toString()).isEqualTo(1);
    assertThat(linked.out()).contains("3 linked to fleet/all, 2 failed");
    assertThat(linked.err().lines())
        .hasSize(2)
        .anySatisfy(line -> assertThat(line).startsWith(list + ":5: ").contains("not a device ID"))
        .anySatisfy(line -> assertThat(line).startsWith(list + ":6: "));
    assertThat(ok("topics", "devices", "fleet/all").out().lines()).hasSize(4);
  }

  private static X509Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
