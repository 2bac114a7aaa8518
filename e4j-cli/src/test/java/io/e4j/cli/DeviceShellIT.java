package io.e4j.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.mqtt.Mosquitto;
import io.e4j.mqtt.Mqtt311OnlyBroker;
import io.e4j.mqtt.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Two device shells, driven through standard input, talking through Mosquitto. */
class DeviceShellIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path directory;

  private Mosquitto broker;
  private final List<Process> shells = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startBroker() throws IOException {
    broker = Mosquitto.start(directory);
  }

  @AfterEach
  void stopEverything() {
    shells.forEach(Process::destroyForcibly);
    broker.close();
  }

  /** A running shell and every line it printed. */
  private record Shell(Process process, OutputStream stdin, List<String> lines) {
    void type(String line) throws IOException {
      stdin.write((line + "\n").getBytes(UTF_8));
      stdin.flush();
    }

    void awaitLine(String expected) {
      await().atMost(WAIT).until(() -> lines.stream().anyMatch(line -> line.contains(expected)));
    }
  }

  private Shell shell(String state) throws IOException {
    Shell shell = start("device", "shell", "--state", state, "--broker", brokerUrl(broker.port()));
    shell.awaitLine("connected to");
    return shell;
  }

  private static String brokerUrl(int port) {
    return "mqtt://127.0.0.1:" + port;
  }

  /** The e4 command in a process of its own, its output collected line by line. */
  private Shell start(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("target", "e4.jar").toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    shells.add(process);
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader output =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                output.lines().forEach(lines::add);
              } catch (IOException ended) {
                // The process is gone; what it printed is in lines.
              }
            });
    reader.setDaemon(true);
    reader.start();
    return new Shell(process, process.getOutputStream(), lines);
  }

  /** Waits for the process to end (at most {@code limit}) and returns its exit status. */
  private static int exitWithin(Shell shell, Duration limit) throws InterruptedException {
    assertThat(shell.process().waitFor(limit.toMillis(), TimeUnit.MILLISECONDS))
        .as("ended within " + limit + "; printed " + shell.lines())
        .isTrue();
    return shell.process().exitValue();
  }

  private void device(String name, String state, byte[] topicKey) {
    try (E4Client device =
        E4Client.builder()
            .name(name)
            .key(Keys.randomKey())
            .store(ClientStore.file(directory.resolve(state)))
            .build()) {
      device.setTopicKey("sensors/temperature", topicKey);
    }
  }

  @Test
  void oneShellPublishesAndTheOtherReceivesDecrypted() throws Exception {
    byte[] topicKey = Keys.randomKey();
    device("alice", "alice.e4", topicKey);
    device("bob", "bob.e4", topicKey);
    Shell bob = shell("bob.e4");
    bob.type("subscribe sensors/#");
    bob.awaitLine("subscribed to sensors/#");
    Shell alice = shell("alice.e4");

    alice.type("whoami");
    alice.type("topics");
    alice.type("publish sensors/temperature 21.5 C");
    alice.type("publish-clear sensors/temperature plain words");
    alice.awaitLine("published in clear");
    alice.type("exit");

    bob.awaitLine("[sensors/temperature] ok: 21.5 C");
    bob.awaitLine("[sensors/temperature] rejected: MESSAGE_TOO_SHORT");
    bob.type("exit");
    assertThat(alice.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bob.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(alice.process().exitValue()).isZero();
    assertThat(alice.lines())
        .anyMatch(line -> line.startsWith("control topic e4/"))
        .anyMatch(line -> line.equals("1 topic keys (by topic hash):"))
        .anyMatch(line -> line.equals("published (protected) on sensors/temperature"));
  }

  @Test
  void aWrongBrokerPassword_endsTheShellWithinFiveSeconds_sayingWhy() throws Exception {
    Mosquitto guarded =
        Mosquitto.start(
            Files.createDirectories(directory.resolve("guarded")),
            null,
            Map.of("alice", "correct horse battery"));
    try {
      device("alice", "alice.e4", Keys.randomKey());
      Files.writeString(directory.resolve("mqtt.pw"), "wrong horse\n");
      String[] args = {
        "device",
        "shell",
        "--state",
        directory.resolve("alice.e4").toString(),
        "--broker",
        brokerUrl(guarded.port()),
        "--broker-user",
        "alice",
        "--broker-password-file",
        directory.resolve("mqtt.pw").toString()
      };
      String reason =
          "e4: the broker at "
              + brokerUrl(guarded.port())
              + " refused the connection: not authorized (CONNACK 0x87); check --broker-user"
              + " and --broker-password-file";

      // In process: the command itself, from its start to its exit status.
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine e4 = E4Command.commandLine(Map.of());
      e4.setOut(new PrintWriter(out));
      e4.setErr(new PrintWriter(err));
      long start = System.nanoTime();
      int exitCode = e4.execute(args);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.println(
          "e4 device shell, wrong password, in process: exit "
              + exitCode
              + " after "
              + took.toMillis()
              + " ms");
      assertThat(exitCode).isEqualTo(5);
      assertThat(took).isLessThan(Duration.ofSeconds(5));
      assertThat(err.toString()).isEqualTo(reason + System.lineSeparator());
      assertThat(out.toString()).isEmpty();

      // As a user runs it: the jar in a JVM of its own, whose start-up takes seconds of its own on
      // a loaded machine.
      long launched = System.nanoTime();
      Shell alice = start(args);
      int processExit = exitWithin(alice, Duration.ofSeconds(30));
      System.out.println(
          "e4 device shell, wrong password, as a process: exit "
              + processExit
              + " after "
              + Duration.ofNanos(System.nanoTime() - launched).toMillis()
              + " ms, JVM start-up included");
      assertThat(processExit).isEqualTo(5);
      assertThat(alice.lines()).containsExactly(reason);
    } finally {
      guarded.close();
    }
  }

  @Test
  void deviceLogin_logsInWithTheDevicesHexIdAndDerivedPassword() throws Exception {
    device("alice", "alice.e4", Keys.randomKey());
    String user;
    String password;
    try (E4Client alice = E4Client.load(ClientStore.file(directory.resolve("alice.e4")))) {
      user = java.util.HexFormat.of().formatHex(alice.id());
      password = alice.brokerPassword();
    }
    Mosquitto guarded =
        Mosquitto.start(
            Files.createDirectories(directory.resolve("guarded")), null, Map.of(user, password));
    try {
      Shell alice =
          start(
              "device",
              "shell",
              "--state",
              directory.resolve("alice.e4").toString(),
              "--broker",
              brokerUrl(guarded.port()),
              "--device-login");

      alice.awaitLine("connected to " + brokerUrl(guarded.port()));
      alice.type("exit");
      assertThat(exitWithin(alice, WAIT)).isZero();
    } finally {
      guarded.close();
    }
  }

  @Test
  void deviceLoginWithBrokerUser_isRefusedSayingWhy() {
    device("alice", "alice.e4", Keys.randomKey());
    StringWriter err = new StringWriter();
    CommandLine e4 = E4Command.commandLine(Map.of());
    e4.setOut(new PrintWriter(new StringWriter()));
    e4.setErr(new PrintWriter(err));

    int exitCode =
        e4.execute(
            "device",
            "shell",
            "--state",
            directory.resolve("alice.e4").toString(),
            "--device-login",
            "--broker-user",
            "alice");

    assertThat(exitCode).isNotZero();
    assertThat(err.toString())
        .contains(
            "--device-login logs in with the device's own ID and password: give it without"
                + " --broker-user and --broker-password-file");
  }

  @Test
  void defaultSettings_speakMqtt311ToABrokerThatSpeaksNothingElse() throws Exception {
    byte[] topicKey = Keys.randomKey();
    device("alice", "alice.e4", topicKey);
    device("bob", "bob.e4", topicKey);
    try (Mqtt311OnlyBroker gate =
        Mqtt311OnlyBroker.inFrontOf(broker, Mqtt311OnlyBroker.Refusal.MQTT5_SHAPED_CONNACK)) {
      Shell bob = start("device", "shell", "--state", "bob.e4", "--broker", brokerUrl(gate.port()));
      bob.awaitLine("connected to " + brokerUrl(gate.port()) + " (MQTT 3.1.1)");
      bob.type("subscribe sensors/#");
      bob.awaitLine("subscribed to sensors/#");
      Shell alice = shell("alice.e4");

      alice.type("publish sensors/temperature 19.0 C");

      bob.awaitLine("[sensors/temperature] ok: 19.0 C");
      assertThat(gate.mqtt5Refused()).isEqualTo(1);

      Shell pinned =
          start(
              "device",
              "shell",
              "--state",
              "alice.e4",
              "--broker",
              brokerUrl(gate.port()),
              "--mqtt-version",
              "5");
      assertThat(exitWithin(pinned, Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(pinned.lines())
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("refused the connection: it does not speak MQTT 5")
          .endsWith(
              "; use --mqtt-version 3 (MQTT 3.1.1), or leave the option out to let e4 choose");
    }
  }

  @Test
  void overTls_theBrokersCaFromAFile_isTrusted_andWithoutItTheShellEndsWithATlsReason()
      throws Exception {
    Path pki = Files.createDirectories(directory.resolve("pki"));
    TestCertificates certificates = TestCertificates.create(pki);
    Mosquitto tls = Mosquitto.start(pki, certificates);
    try {
      device("alice", "alice.e4", Keys.randomKey());
      String url = "mqtts://127.0.0.1:" + tls.port();

      Shell untrusting = start("device", "shell", "--state", "alice.e4", "--broker", url);
      assertThat(exitWithin(untrusting, Duration.ofSeconds(30))).isEqualTo(6);
      assertThat(untrusting.lines())
          .containsExactly(
              "e4: the TLS handshake with the broker at "
                  + url
                  + " failed: the broker's certificate is not trusted (unable to find valid"
                  + " certification path to requested target); --broker-ca-file names the CA to"
                  + " trust");

      Shell trusting =
          start(
              "device",
              "shell",
              "--state",
              "alice.e4",
              "--broker",
              url,
              "--broker-ca-file",
              certificates.caCertificate().toString());
      trusting.awaitLine("connected to " + url + " (MQTT 5)");
      trusting.type("exit");
      assertThat(exitWithin(trusting, Duration.ofSeconds(30))).isZero();
    } finally {
      tls.close();
    }
  }
}
