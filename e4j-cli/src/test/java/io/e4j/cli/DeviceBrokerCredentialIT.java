package io.e4j.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.e4j.cli.C2Fixture.Run;
import io.e4j.core.Keys;
import io.e4j.mqtt.BrokerRefusedException;
import io.e4j.mqtt.MqttConnection;
import io.e4j.server.C2Config;
import io.e4j.server.CryptoMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code e4 devices broker-credential} against a real C2 whose embedded broker lets in only
 * devices: the credential it prints (or writes, owner-only) logs the device in; a new one replaces
 * it; {@code --revoke} ends it; {@code e4 devices show} says whether one is issued. One C2 for the
 * class, a device of its own for each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceBrokerCredentialIT {
  private static final Pattern CREDENTIAL = Pattern.compile("e4b_[0-9a-f]{64}");

  private Path directory;

  private C2Fixture c2;

  /** The device each test works on, created for it. */
  private String name;

  private String id;

  @BeforeAll
  void startC2(@TempDir Path directory) throws Exception {
    this.directory = directory;
    c2 =
        C2Fixture.startWithEmbeddedBroker(
            directory, CryptoMode.SYMMETRIC_KEY, C2Config.EmbeddedMqtt.Access.DEVICES);
    assertThat(c2.loginAsAdmin().exitCode()).isZero();
  }

  @BeforeEach
  void createDevice(TestInfo test) {
    name = "meter-" + Integer.toHexString(test.getTestMethod().orElseThrow().getName().hashCode());
    ok("devices", "create", name, "--key", HexFormat.of().formatHex(Keys.randomKey()));
    id = HexFormat.of().formatHex(Keys.idFromName(name));
  }

  @AfterAll
  void stop() {
    if (c2 != null) {
      c2.close();
    }
  }

  @Test
  void printsACredentialThatLogsTheDeviceIn_andAHintHowToUseIt() throws Exception {
    Run run = ok("devices", "broker-credential", name);

    String credential = credentialIn(run.out());
    assertThat(run.out()).contains("shown once").contains("user name " + id + " (or " + name + ")");
    assertThat(logsIn(name, credential)).isTrue();
    assertThat(logsIn(id, credential)).isTrue();
    assertThat(ok("devices", "show", name).out()).containsPattern("broker credential +issued 20");

    String next = credentialIn(ok("devices", "broker-credential", name).out());
    assertThat(next).isNotEqualTo(credential);
    assertThat(logsIn(id, credential)).isFalse();
    assertThat(logsIn(id, next)).isTrue();
  }

  @Test
  void out_writesItOwnerOnly_neverOnTheTerminal_andRefusesToReplaceAFileWithoutForce()
      throws Exception {
    Path file = directory.resolve(name + ".broker-password");

    Run run = ok("devices", "broker-credential", name, "--out", file.toString());

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String credential = Files.readString(file, US_ASCII);
    assertThat(credential).matches(CREDENTIAL);
    assertThat(run.out() + run.err())
        .doesNotContain(credential.substring(4))
        .contains(file.toString());
    assertThat(logsIn(id, credential)).isTrue();

    Run again = c2.e4("devices", "broker-credential", name, "--out", file.toString());
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(4);
    // Refused before C2 was asked: the credential in the file still works.
    assertThat(logsIn(id, credential)).isTrue();

    ok("devices", "broker-credential", name, "--out", file.toString(), "--force");
    String replaced = Files.readString(file, US_ASCII);
    assertThat(replaced).matches(CREDENTIAL).isNotEqualTo(credential);
    assertThat(logsIn(id, credential)).isFalse();
    assertThat(logsIn(id, replaced)).isTrue();
  }

  @Test
  void revoke_endsTheCredential_andShowSaysNoneIsIssued() throws Exception {
    String credential = credentialIn(ok("devices", "broker-credential", name).out());

    Run revoked = ok("devices", "broker-credential", name, "--revoke");

    assertThat(revoked.out()).contains("revoked the broker credential of " + name);
    assertThat(logsIn(id, credential)).isFalse();
    assertThat(ok("devices", "show", name).out())
        .contains("broker credential")
        .contains("none issued");
    Run twice = c2.e4("devices", "broker-credential", name, "--revoke");
    assertThat(twice.exitCode()).as(twice.toString()).isEqualTo(3);
    assertThat(twice.err()).contains("no broker credential");
  }

  @Test
  void json_givesTheCredentialAndTheUserName() throws Exception {
    Run run = ok("devices", "broker-credential", name, "-o", "json");

    JsonNode document = new ObjectMapper().readTree(run.out());
    assertThat(document.get("username").asText()).isEqualTo(id);
    assertThat(document.get("device").get("name").asText()).isEqualTo(name);
    assertThat(document.get("issuedAt").asText()).startsWith("20");
    assertThat(logsIn(id, document.get("credential").asText())).isTrue();
  }

  @Test
  void usageErrors_areRefusedBeforeAnythingIsIssued() {
    Run revokeWithOut = c2.e4("devices", "broker-credential", name, "--revoke", "--out", "x");
    assertThat(revokeWithOut.exitCode()).as(revokeWithOut.toString()).isEqualTo(2);
    Run forceAlone = c2.e4("devices", "broker-credential", name, "--force");
    assertThat(forceAlone.exitCode()).as(forceAlone.toString()).isEqualTo(2);
    Run missing = c2.e4("devices", "broker-credential", "nobody");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(3);
    assertThat(ok("devices", "show", name).out()).contains("none issued");
  }

  private Run ok(String... args) {
    Run run = c2.e4(args);
    assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isZero();
    return run;
  }

  private static String credentialIn(String out) {
    Matcher found = CREDENTIAL.matcher(out);
    assertThat(found.find()).as(out).isTrue();
    return found.group();
  }

  /** Whether the embedded broker lets a client in with this user name and password. */
  private boolean logsIn(String username, String password) throws Exception {
    MqttConnection connection =
        MqttConnection.create(
            MqttConnection.Settings.builder()
                .host("127.0.0.1")
                .port(c2.brokerPort())
                .clientId("probe-" + System.nanoTime())
                .credentials(username, password.getBytes(US_ASCII))
                .build(),
            new MqttConnection.Events() {});
    try {
      connection.connect().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof BrokerRefusedException) {
        return false;
      }
      throw e;
    }
    connection.disconnect().get(10, TimeUnit.SECONDS);
    return true;
  }
}
