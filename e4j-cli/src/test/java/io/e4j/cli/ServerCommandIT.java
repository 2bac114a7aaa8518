package io.e4j.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code e4 server} as operators run it: the shaded jar in its own process. */
class ServerCommandIT {
  private static final Path JAR = Path.of("target", "e4.jar").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path directory;

  private Process server(Path log, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "server",
                // Any free port: tests may run beside a C2 on the default one.
                "--set",
                "api.port=0"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, UTF_8) : "";
  }

  /** SIGTERM, as an init system stops a service; the server shuts down gracefully. */
  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
  }

  @Test
  void zeroConfiguration_generatesTheKekOnce_servesMqtt_andStopsGracefully() throws Exception {
    int port = freePort();
    Path firstLog = directory.resolve("first.log");
    Process first = server(firstLog, "--set", "broker.port=" + port);
    try {
      await().atMost(WAIT).until(() -> read(firstLog).contains("C2 started"));
      Mqtt3BlockingClient device =
          MqttClient.builder()
              .useMqttVersion3()
              .identifier("probe")
              .serverHost("127.0.0.1")
              .serverPort(port)
              .buildBlocking();
      device.connect();
      device.disconnect();
    } finally {
      stop(first);
    }
    String output = read(firstLog);
    assertThat(output)
        .contains("generated a key-encryption key in " + directory.resolve("e4-data/kek.key"))
        .contains("embedded MQTT broker listening on 127.0.0.1:" + port)
        .contains("C2 stopped");
    assertThat(Files.getPosixFilePermissions(directory.resolve("e4-data/kek.key")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    Path secondLog = directory.resolve("second.log");
    Process second = server(secondLog, "--set", "broker.port=" + port, "--log-format", "json");
    try {
      await().atMost(WAIT).until(() -> read(secondLog).contains("C2 started"));
    } finally {
      stop(second);
    }
    List<String> lines = read(secondLog).lines().toList();
    assertThat(lines).noneMatch(line -> line.contains("generated a key-encryption key"));
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      JsonNode event = json.readTree(line);
      assertThat(event.has("message") && event.has("level") && event.has("@timestamp"))
          .as(line)
          .isTrue();
    }
  }

  @Test
  void rekey_movesTheStoreToANewKek() throws Exception {
    int port = freePort();
    Path log = directory.resolve("server.log");
    Process first = server(log, "--set", "broker.port=" + port);
    await().atMost(WAIT).until(() -> read(log).contains("C2 started"));
    stop(first);

    Path rekeyLog = directory.resolve("rekey.log");
    Process rekey =
        server(
            rekeyLog,
            "rekey",
            "--new-kek-file",
            directory.resolve("new.key").toString(),
            "--grace",
            "0");
    assertThat(rekey.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(read(rekeyLog)).contains("done:");
    assertThat(rekey.exitValue()).as(read(rekeyLog)).isZero();

    Path refusedLog = directory.resolve("refused.log");
    Process refused = server(refusedLog, "--set", "broker.port=" + port);
    assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(refused.exitValue()).isEqualTo(1);
    assertThat(read(refusedLog))
        .contains("e4: the key-encryption key does not open this key store");

    Path newLog = directory.resolve("new.log");
    Process underNewKek =
        server(
            newLog,
            "--set",
            "broker.port=" + port,
            "--set",
            "kek.file=" + directory.resolve("new.key"));
    try {
      await().atMost(WAIT).until(() -> read(newLog).contains("C2 started"));
    } finally {
      stop(underNewKek);
    }
  }

  @Test
  void yamlEnvironmentAndFlags_everyProblemListedAtOnce() throws Exception {
    Path config = directory.resolve("c2.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "mode: public-key",
            "database:",
            "  url: mysql://nope",
            "broker:",
            "  type: mqtt",
            "  port: 99999",
            "  colour: blue",
            "delivery:",
            "  retryMin: soon",
            ""));
    Path log = directory.resolve("invalid.log");
    Process invalid = server(log, "--config", config.toString(), "--set", "broker.host=");
    assertThat(invalid.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(invalid.exitValue()).isEqualTo(2);
    assertThat(read(log))
        .contains("unknown setting 'broker.colour'")
        .contains("delivery.retryMin: expected a duration")
        .contains("database.url: 'mysql://nope' is neither")
        .contains("broker.host: must not be empty")
        .contains("broker.port: must be 1 to 65535, got 99999");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
