package io.e4j.mqtt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker (Debian's package) on a free loopback port, with persistence so that
 * sessions survive {@link #restart()}. {@code .ci/run} installs it when it is absent.
 */
public final class Mosquitto implements AutoCloseable {
  private final Path directory;
  private final int port;
  private final TestCertificates tls;
  private Process process;

  private Mosquitto(Path directory, int port, TestCertificates tls) {
    this.directory = directory;
    this.port = port;
    this.tls = tls;
  }

  public static Mosquitto start(Path directory) throws IOException {
    return start(directory, null);
  }

  /** A broker that speaks only TLS, with the given certificates. */
  public static Mosquitto start(Path directory, TestCertificates tls) throws IOException {
    Mosquitto broker = new Mosquitto(directory, freePort(), tls);
    broker.writeConfig();
    broker.launch();
    return broker;
  }

  public int port() {
    return port;
  }

  /** Stops it the polite way, so it saves its sessions for the restart. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  public void restart() throws IOException {
    stop();
    launch();
  }

  @Override
  public void close() {
    stop();
  }

  private void writeConfig() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("listener " + port + " 127.0.0.1");
    if (tls != null) {
      lines.add("certfile " + tls.serverCertificate());
      lines.add("keyfile " + tls.serverKey());
    }
    lines.add("allow_anonymous true");
    lines.add("persistence true");
    lines.add("persistence_location " + directory + "/");
    lines.add("log_dest file " + directory.resolve("mosquitto.log"));
    if ("root".equals(System.getProperty("user.name"))) {
      // Mosquitto started as root switches to its own user, which cannot write here.
      lines.add("user root");
    }
    Files.write(directory.resolve("mosquitto.conf"), lines);
  }

  private void launch() throws IOException {
    process =
        new ProcessBuilder(binary(), "-c", directory.resolve("mosquitto.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("mosquitto.out").toFile())
            .start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "mosquitto exited at start: "
                + Files.readString(directory.resolve("mosquitto.out"))
                + readIfPresent(directory.resolve("mosquitto.log")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        pause();
      }
    }
    throw new IllegalStateException("mosquitto did not listen on port " + port + " within 15 s");
  }

  private static String readIfPresent(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for mosquitto", e);
    }
  }

  private static String binary() {
    for (String candidate : List.of("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, "mosquitto");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        "mosquitto is not installed: apt-get install -y mosquitto (.ci/run does this)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
