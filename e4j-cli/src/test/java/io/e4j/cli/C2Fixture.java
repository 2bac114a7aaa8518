package io.e4j.cli;

import io.e4j.mqtt.Mosquitto;
import io.e4j.server.C2Config;
import io.e4j.server.CryptoMode;
import io.e4j.server.node.C2Server;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;

/**
 * A real C2 with its API on a free port, a real Mosquitto for its commands (or the broker C2
 * embeds, as {@code e4 server} runs with no configuration), and the e4 command line run in process
 * against them, its configuration in a directory of its own.
 */
final class C2Fixture implements AutoCloseable {
  private final Path directory;
  private final Mosquitto broker;
  private final C2Config.Broker brokerConfig;
  private final int brokerPort;
  private final CryptoMode mode;
  private C2Server server;
  private int apiPort;

  private C2Fixture(
      Path directory,
      Mosquitto broker,
      C2Config.Broker brokerConfig,
      int brokerPort,
      CryptoMode mode) {
    this.directory = directory;
    this.broker = broker;
    this.brokerConfig = brokerConfig;
    this.brokerPort = brokerPort;
    this.mode = mode;
  }

  static C2Fixture start(Path directory) throws IOException {
    return start(directory, CryptoMode.SYMMETRIC_KEY);
  }

  static C2Fixture start(Path directory, CryptoMode mode) throws IOException {
    Mosquitto broker = Mosquitto.start(Files.createDirectories(directory.resolve("broker")));
    C2Fixture fixture =
        new C2Fixture(
            directory,
            broker,
            C2Config.Mqtt.plain("127.0.0.1", broker.port()),
            broker.port(),
            mode);
    fixture.startServer(0);
    return fixture;
  }

  /** C2 with the broker it embeds, on a free port: {@code e4 server}'s zero-setup default. */
  static C2Fixture startWithEmbeddedBroker(Path directory, CryptoMode mode) throws IOException {
    return startWithEmbeddedBroker(directory, mode, C2Config.EmbeddedMqtt.Access.OPEN);
  }

  /** C2 with the broker it embeds, on a free port, letting in whom {@code access} says. */
  static C2Fixture startWithEmbeddedBroker(
      Path directory, CryptoMode mode, C2Config.EmbeddedMqtt.Access access) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    C2Fixture fixture =
        new C2Fixture(
            directory,
            null,
            new C2Config.EmbeddedMqtt("127.0.0.1", port).withAccess(access),
            port,
            mode);
    fixture.startServer(0);
    return fixture;
  }

  private void startServer(int port) {
    server =
        C2Server.start(
            C2Config.defaults(dataDirectory())
                .withMode(mode)
                .withBroker(brokerConfig)
                .withApi(C2Config.Api.onPort(port)),
            Clock.systemUTC(),
            Map.of());
    apiPort = server.apiPort().orElseThrow();
  }

  /** Stops C2 and starts it again on the same port, with the same data (and certificate). */
  void restartServer() {
    server.close();
    startServer(apiPort);
  }

  void stopServer() {
    server.close();
  }

  void startServerAgain() {
    startServer(apiPort);
  }

  Path dataDirectory() {
    return directory.resolve("c2");
  }

  Path adminTokenFile() {
    return dataDirectory().resolve(C2Server.ADMIN_TOKEN_FILE);
  }

  String endpoint() {
    return "https://127.0.0.1:" + apiPort;
  }

  int brokerPort() {
    return brokerPort;
  }

  C2Server server() {
    return server;
  }

  /** The e4 command's environment: its own configuration directory. */
  Map<String, String> environment() {
    return Map.of("E4_CONFIG_DIR", directory.resolve("e4-config").toString());
  }

  /** The outcome of one e4 command. */
  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  Run e4(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = E4Command.commandLine(environment());
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    int exitCode = command.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  /** Logs in as the bootstrap admin (profile "default"). */
  Run loginAsAdmin() {
    return e4("login", "--endpoint", endpoint(), "--token-file", adminTokenFile().toString());
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (broker != null) {
      broker.close();
    }
  }
}
