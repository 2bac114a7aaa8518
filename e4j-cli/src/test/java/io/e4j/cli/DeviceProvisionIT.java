package io.e4j.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.e4j.cli.C2Fixture.Run;
import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.server.CryptoMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code e4 devices provision} against a real C2: devices created in C2 with ready state files,
 * linked with the usual commands, run with the exact command provision printed, exchanging
 * protected messages through the broker.
 */
class DeviceProvisionIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOPIC = "sensors/temperature";

  @TempDir Path directory;

  private C2Fixture c2;
  private final List<Process> shells = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    shells.forEach(Process::destroyForcibly);
    if (c2 != null) {
      c2.close();
    }
  }

  private Run ok(String... args) {
    Run run = c2.e4(args);
    assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isZero();
    return run;
  }

  /** Provisions {@code name} and returns the command it printed to run the device. */
  private String[] provision(String name, String... options) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "devices",
                "provision",
                name,
                "--out",
                stateFile(name).toString(),
                "--broker",
                "mqtt://127.0.0.1:" + c2.brokerPort()));
    args.addAll(List.of(options));
    Run run = ok(args.toArray(String[]::new));
    assertThat(run.out()).startsWith("created device " + name + " (id ");
    assertThat(Files.getPosixFilePermissions(stateFile(name)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    List<String> lines = run.out().lines().toList();
    String command = lines.get(lines.size() - 1);
    assertThat(command)
        .isEqualTo(
            "  e4 device shell --state "
                + stateFile(name)
                + " --broker mqtt://127.0.0.1:"
                + c2.brokerPort());
    return command.strip().split(" ");
  }

  private Path stateFile(String name) {
    return directory.resolve(name + ".e4");
  }

  /** A running device shell and every line it printed. */
  private record Shell(Process process, OutputStream stdin, List<String> lines) {
    void type(String line) throws IOException {
      stdin.write((line + "\n").getBytes(UTF_8));
      stdin.flush();
    }

    void awaitLine(String expected) {
      await().atMost(WAIT).until(() -> lines.stream().anyMatch(line -> line.contains(expected)));
    }

    void awaitLines(String expected, int count) {
      await()
          .atMost(WAIT)
          .until(() -> lines.stream().filter(line -> line.contains(expected)).count() >= count);
    }
  }

  /** Runs the printed {@code e4 ...} command with the jar operators run. */
  private Shell run(String[] printed) throws IOException {
    assertThat(printed[0]).isEqualTo("e4");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("target", "e4.jar").toAbsolutePath().toString()));
    command.addAll(Arrays.asList(printed).subList(1, printed.length));
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
    Shell shell = new Shell(process, process.getOutputStream(), lines);
    shell.awaitLine("connected to");
    return shell;
  }

  private JsonNode json(String... args) throws IOException {
    return new ObjectMapper().readTree(ok(args).out());
  }

  @Test
  void twoSymmetricKeyDevices_fromC2ToRunningShells_onTheEmbeddedBroker() throws Exception {
    c2 = C2Fixture.startWithEmbeddedBroker(directory, CryptoMode.SYMMETRIC_KEY);
    assertThat(c2.loginAsAdmin().exitCode()).isZero();

    Shell alice = run(provision("alice"));
    Shell bob = run(provision("bob"));
    ok("topics", "create", TOPIC);
    bob.type("subscribe sensors/#");
    bob.awaitLine("subscribed to sensors/#");
    ok("link", "alice", TOPIC);
    ok("link", "bob", TOPIC);
    alice.awaitLine("[control] C2 command applied and saved");
    bob.awaitLine("[control] C2 command applied and saved");

    alice.type("publish " + TOPIC + " 21.5 C");
    bob.awaitLine("[" + TOPIC + "] ok: 21.5 C");

    ok("topics", "rotate", TOPIC);
    alice.awaitLines("[control] C2 command applied and saved", 2);
    bob.awaitLines("[control] C2 command applied and saved", 2);
    alice.type("publish " + TOPIC + " 22.0 C after the rotation");
    bob.awaitLine("[" + TOPIC + "] ok: 22.0 C after the rotation");

    assertThat(alice.lines()).noneMatch(line -> line.contains("rejected"));
    assertThat(bob.lines()).noneMatch(line -> line.contains("rejected"));
    try (E4Client device = E4Client.load(ClientStore.file(stateFile("alice")))) {
      assertThat(device.mode()).isEqualTo(E4Client.Mode.SYMMETRIC);
      assertThat(HexFormat.of().formatHex(device.id()))
          .isEqualTo(json("devices", "show", "alice", "-o", "json").at("/device/id").asText());
    }
    assertNoStagedFileLeft();
  }

  /** The README's walk-through: devices linked before they ever connected, then convergence. */
  @Test
  void devicesLinkedBeforeTheyEverConnected_getTheirKeys_andConvergenceReaches100()
      throws Exception {
    c2 = C2Fixture.startWithEmbeddedBroker(directory, CryptoMode.SYMMETRIC_KEY);
    assertThat(c2.loginAsAdmin().exitCode()).isZero();
    String[] aliceShell = provision("alice");
    String[] bobShell = provision("bob");
    ok("topics", "create", TOPIC);
    ok("link", "alice", TOPIC);
    ok("link", "bob", TOPIC);

    Shell alice = run(aliceShell);
    Shell bob = run(bobShell);
    alice.awaitLine("[control] C2 command applied and saved");
    bob.awaitLine("[control] C2 command applied and saved");
    bob.type("subscribe sensors/#");
    bob.awaitLine("subscribed to sensors/#");
    alice.type("publish " + TOPIC + " 21.5 C");
    bob.awaitLine("[" + TOPIC + "] ok: 21.5 C");

    ok("topics", "rotate", TOPIC);
    await()
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(ok("topics", "status", TOPIC).out()).contains("2 (100%)"));
    assertThat(json("topics", "status", TOPIC, "-o", "json").at("/onCurrentKey").asText())
        .isEqualTo("2");
    assertThat(ok("devices", "show", "alice").out()).contains("CONFIRMED").contains("reports keys");
  }

  @Test
  void twoPublicKeyDevices_keepTheirSigningKeys_andHearEachOther() throws Exception {
    c2 = C2Fixture.start(directory, CryptoMode.PUBLIC_KEY);
    assertThat(c2.loginAsAdmin().exitCode()).isZero();

    Shell alice = run(provision("alice", "--public-key"));
    Shell bob = run(provision("bob", "--public-key"));
    ok("topics", "create", TOPIC);
    bob.type("subscribe sensors/#");
    bob.awaitLine("subscribed to sensors/#");
    ok("pubkeys", "send", "alice", "bob");
    ok("pubkeys", "send", "bob", "alice");
    ok("link", "alice", TOPIC);
    ok("link", "bob", TOPIC);
    alice.awaitLines("[control] C2 command applied and saved", 2);
    bob.awaitLines("[control] C2 command applied and saved", 2);

    alice.type("publish " + TOPIC + " signed by alice");
    bob.awaitLine("[" + TOPIC + "] ok: signed by alice");

    for (String name : List.of("alice", "bob")) {
      try (E4Client device = E4Client.load(ClientStore.file(stateFile(name)))) {
        assertThat(device.mode()).isEqualTo(E4Client.Mode.PUBLIC_KEY);
        assertThat(json("devices", "show", name, "-o", "json").at("/device/publicKey").asText())
            .as("C2 holds the public half of the key in the file")
            .isEqualTo(HexFormat.of().formatHex(device.publicKey()));
      }
    }
    assertThat(bob.lines()).noneMatch(line -> line.contains("rejected"));
    assertNoStagedFileLeft();
  }

  @Test
  void whatCannotBeDone_leavesNothingBehind_inC2OrOnDisk() throws Exception {
    c2 = C2Fixture.start(directory, CryptoMode.SYMMETRIC_KEY);
    assertThat(c2.loginAsAdmin().exitCode()).isZero();
    String out = stateFile("carol").toString();

    Run wrongMode = c2.e4("devices", "provision", "carol", "--out", out, "--public-key");
    Run noDirectory =
        c2.e4(
            "devices",
            "provision",
            "carol",
            "--out",
            directory.resolve("missing/carol.e4").toString());

    assertThat(wrongMode.exitCode()).isEqualTo(1);
    assertThat(wrongMode.err())
        .isEqualTo("e4: C2 runs in symmetric-key mode: leave out --public-key\n");
    assertThat(noDirectory.exitCode()).isEqualTo(1);
    assertThat(noDirectory.err()).contains("the directory", "missing", "does not exist");
    assertThat(c2.e4("devices", "show", "carol").exitCode()).as("not in C2").isEqualTo(3);
    assertThat(Files.exists(Path.of(out))).isFalse();

    ok("devices", "provision", "carol", "--out", out);
    byte[] first = Files.readAllBytes(Path.of(out));
    Run existingFile = c2.e4("devices", "provision", "dave", "--out", out);
    Run existingDevice =
        c2.e4("devices", "provision", "carol", "--out", stateFile("carol-again").toString());

    assertThat(existingFile.exitCode()).isEqualTo(4);
    assertThat(existingFile.err())
        .isEqualTo("e4: " + out + " exists already; --force replaces it\n");
    assertThat(c2.e4("devices", "show", "dave").exitCode()).as("not in C2").isEqualTo(3);
    assertThat(Files.readAllBytes(Path.of(out))).isEqualTo(first);
    assertThat(existingDevice.exitCode()).isEqualTo(4);
    assertThat(existingDevice.err()).contains("exists already");
    assertThat(Files.exists(stateFile("carol-again"))).isFalse();

    JsonNode forced = json("devices", "provision", "dave", "--out", out, "--force", "-o", "json");
    assertThat(forced.at("/device/name").asText()).isEqualTo("dave");
    assertThat(forced.at("/mode").asText()).isEqualTo("symmetric-key");
    assertThat(forced.at("/stateFile").asText()).isEqualTo(out);
    assertThat(forced.at("/next").asText())
        .isEqualTo("e4 device shell --state " + out + " --broker mqtt://127.0.0.1:1883");
    try (E4Client device = E4Client.load(ClientStore.file(Path.of(out)))) {
      assertThat(HexFormat.of().formatHex(device.id())).isEqualTo(forced.at("/device/id").asText());
    }
    assertThat(Files.getPosixFilePermissions(Path.of(out)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertNoStagedFileLeft();
  }

  private void assertNoStagedFileLeft() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .noneMatch(name -> name.contains(".provisioning"));
    }
  }
}
