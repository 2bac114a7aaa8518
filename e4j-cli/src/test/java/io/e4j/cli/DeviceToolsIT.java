package io.e4j.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.e4j.core.Commands;
import io.e4j.core.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real e4 jar, run as a user would run it. */
class DeviceToolsIT {
  private static final Path JAR = Path.of("target", "e4.jar").toAbsolutePath();
  private static final Path VECTORS =
      Path.of("..", "e4j-core", "src", "test", "resources", "vectors", "e4go", "e4go-vectors.json");

  @TempDir Path directory;

  /** The outcome of one run. */
  private record Run(int exitCode, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, UTF_8);
    }
  }

  private Run e4(byte[] stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(directory.toFile()).start();
    process.getOutputStream().write(stdin);
    process.getOutputStream().close();
    byte[] stdout = process.getInputStream().readAllBytes();
    String stderr = new String(process.getErrorStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), stdout, stderr);
  }

  private Run e4(String... args) throws IOException, InterruptedException {
    return e4(new byte[0], args);
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Test
  void keygen_writesOwnerOnlyPrivateKeysAndPublicHalves() throws Exception {
    assertThat(e4("keygen", "--type", "ed25519", "--out", "device.ed25519").exitCode()).isZero();
    assertThat(e4("keygen", "--type", "curve25519", "--out", "c2.curve25519").exitCode()).isZero();
    assertThat(e4("keygen", "--type", "symmetric", "--out", "device.key").exitCode()).isZero();

    assertThat(Files.size(directory.resolve("device.ed25519"))).isEqualTo(64);
    assertThat(Files.size(directory.resolve("device.ed25519.pub"))).isEqualTo(32);
    assertThat(Files.size(directory.resolve("c2.curve25519.pub"))).isEqualTo(32);
    assertThat(Files.size(directory.resolve("device.key"))).isEqualTo(32);
    assertThat(permissions("device.ed25519")).isEqualTo("rw-------");
    assertThat(permissions("c2.curve25519")).isEqualTo("rw-------");
    assertThat(permissions("device.key")).isEqualTo("rw-------");
    assertThat(permissions("device.ed25519.pub")).isEqualTo("rw-r--r--");

    Run again = e4("keygen", "--type", "symmetric", "--out", "device.key");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.stderr())
        .isEqualTo("e4: device.key already exists; use --force to replace it\n");
    assertThat(e4("keygen", "--type", "symmetric", "--out", "device.key", "--force").exitCode())
        .isZero();
  }

  @Test
  void completion_loadsInBash() throws Exception {
    Process bash =
        new ProcessBuilder(
                "bash",
                "-c",
                "source <(\"$0\" -jar \"$1\" completion) && complete -p e4",
                javaBinary(),
                JAR.toString())
            .directory(directory.toFile())
            .start();
    String out = new String(bash.getInputStream().readAllBytes(), UTF_8);
    String err = new String(bash.getErrorStream().readAllBytes(), UTF_8);
    assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as(err).isZero();
    assertThat(out).contains("_complete_e4").endsWith(" e4\n");
  }

  private String permissions(String file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve(file)));
  }

  @Test
  void deviceInitProtectUnprotect_roundTripBothModes() throws Exception {
    Files.writeString(directory.resolve("password.txt"), "a long device password\n");
    e4("keygen", "--type", "ed25519", "--out", "pk.ed25519");
    e4("keygen", "--type", "curve25519", "--out", "c2.curve25519");
    Run symmetric =
        e4(
            "device",
            "init",
            "--name",
            "meter-1",
            "--password-file",
            "password.txt",
            "--state",
            "sk.e4");
    Run publicKey =
        e4(
            "device",
            "init",
            "--name",
            "meter-2",
            "--ed25519-file",
            "pk.ed25519",
            "--c2-public-key-file",
            "c2.curve25519.pub",
            "--state",
            "pk.e4");
    assertThat(symmetric.exitCode()).as(symmetric.stderr()).isZero();
    assertThat(symmetric.out()).contains("symmetric-key device meter-1");
    assertThat(publicKey.exitCode()).as(publicKey.stderr()).isZero();
    assertThat(publicKey.out()).contains("public-key device meter-2");

    Run missingKey =
        e4("hello".getBytes(UTF_8), "device", "protect", "--state", "sk.e4", "--topic", "t");
    assertThat(missingKey.exitCode()).isEqualTo(1);
    assertThat(missingKey.stderr()).isEqualTo("e4: no key is held for topic t\n");

    Run overwrite =
        e4(
            "device",
            "init",
            "--name",
            "other",
            "--password-file",
            "password.txt",
            "--state",
            "sk.e4");
    assertThat(overwrite.exitCode()).isEqualTo(1);
    assertThat(overwrite.stderr()).startsWith("e4: ").contains("already holds a client");
  }

  @Test
  void setTopicKey_withoutC2() throws Exception {
    e4("keygen", "--type", "symmetric", "--out", "device.key");
    e4("keygen", "--type", "symmetric", "--out", "topic.key");
    e4("device", "init", "--name", "meter", "--key-file", "device.key", "--state", "d.e4");

    Run set =
        e4("device", "set-topic-key", "--state", "d.e4", "--topic", "t", "--key-file", "topic.key");
    Run protect = e4("x".getBytes(UTF_8), "device", "protect", "--state", "d.e4", "--topic", "t");
    Run wrongSize =
        e4("device", "set-topic-key", "--state", "d.e4", "--topic", "t", "--key-file", "d.e4");

    assertThat(set.exitCode()).as(set.stderr()).isZero();
    assertThat(protect.exitCode()).as(protect.stderr()).isZero();
    assertThat(protect.stdout()).hasSize(25);
    assertThat(wrongSize.exitCode()).isEqualTo(1);
    assertThat(wrongSize.stderr()).startsWith("e4: topic key file d.e4 holds");
  }

  /** Gives the device a topic key through a C2 command, then protects and unprotects with it. */
  private void roundTrip(String state, String name, byte[] commandKey, byte[] topicKey)
      throws Exception {
    Files.write(
        directory.resolve("command.bin"),
        Commands.protect(
            Commands.setTopicKey(topicKey, "plant/line-1"), commandKey, Instant.now()));
    String controlTopic = Keys.controlTopic(Keys.idFromName(name));

    Run command =
        e4("device", "unprotect", "--state", state, "--topic", controlTopic, "--in", "command.bin");
    Run protect =
        e4(
            "4.2 bar".getBytes(UTF_8),
            "device",
            "protect",
            "--state",
            state,
            "--topic",
            "plant/line-1");
    Run unprotect =
        e4(protect.stdout(), "device", "unprotect", "--state", state, "--topic", "plant/line-1");

    assertThat(command.exitCode()).as(command.stderr()).isZero();
    assertThat(protect.exitCode()).as(protect.stderr()).isZero();
    assertThat(protect.stdout()).hasSizeGreaterThan(24);
    assertThat(unprotect.exitCode()).as(unprotect.stderr()).isZero();
    assertThat(unprotect.out()).isEqualTo("4.2 bar");
  }

  /**
   * A SetTopicKey command and a message recorded from Teserakt's Go client, replayed through the
   * command line with --at pinned to the vectors' reference time.
   */
  @Test
  void unprotect_aGoClientMessageAtTheRecordedTime() throws Exception {
    JsonNode vectors = new ObjectMapper().readTree(VECTORS.toFile());
    String now = vectors.get("meta").get("reference_now").asText();
    JsonNode message = vectors.get("b_symmetric_messages").get(8);
    String installsItsKey = "03" + message.get("key").asText() + message.get("topic_hash").asText();
    JsonNode setTopicKey = null;
    for (JsonNode command : vectors.get("c_symmetric_commands")) {
      if (command.get("command").asText().equals(installsItsKey)) {
        setTopicKey = command;
      }
    }
    assertThat(setTopicKey).as("a SetTopicKey vector with the message's key").isNotNull();
    byte[] clientKey = HexFormat.of().parseHex(setTopicKey.get("protect_key").asText());
    Files.write(directory.resolve("client.key"), clientKey);
    Files.write(directory.resolve("command.bin"), hex(setTopicKey.get("protected")));
    Files.write(directory.resolve("message.bin"), hex(message.get("protected")));

    Run init =
        e4(
            "device",
            "init",
            "--name",
            "sym-client-1",
            "--key-file",
            "client.key",
            "--state",
            "d.e4");
    Run command =
        e4(
            "device",
            "unprotect",
            "--state",
            "d.e4",
            "--topic",
            setTopicKey.get("receiving_topic").asText(),
            "--in",
            "command.bin",
            "--at",
            now);
    Run tooLate =
        e4(
            "device",
            "unprotect",
            "--state",
            "d.e4",
            "--topic",
            "sensors/temperature",
            "--in",
            "message.bin");
    Run payload =
        e4(
            "device",
            "unprotect",
            "--state",
            "d.e4",
            "--topic",
            "sensors/temperature",
            "--in",
            "message.bin",
            "--at",
            now,
            "--out",
            "payload.bin");

    assertThat(init.exitCode()).as(init.stderr()).isZero();
    assertThat(command.exitCode()).as(command.stderr()).isZero();
    assertThat(command.stderr()).contains("command applied");
    assertThat(tooLate.exitCode()).isEqualTo(1);
    assertThat(tooLate.stderr())
        .startsWith("e4: message dated 1700000000 is more than 600 s older");
    assertThat(payload.exitCode()).as(payload.stderr()).isZero();
    assertThat(Files.readAllBytes(directory.resolve("payload.bin")))
        .isEqualTo(hex(message.get("plaintext")));
  }

  private static byte[] hex(JsonNode node) {
    return HexFormat.of().parseHex(node.asText());
  }
}
