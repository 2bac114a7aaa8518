package io.e4j.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.mqtt.Mosquitto;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("target", "e4.jar").toAbsolutePath().toString(),
                "device",
                "shell",
                "--state",
                state,
                "--broker",
                "mqtt://127.0.0.1:" + broker.port())
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .start();
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
    Shell shell = new Shell(process, process.getOutputStream(), lines);
    shell.awaitLine("connected to");
    return shell;
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
}
