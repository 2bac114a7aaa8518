package io.e4j.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Mosquitto broker of the load drivers' own, on a free loopback port, without persistence. */
final class LocalMosquitto implements AutoCloseable {
  private final Process process;
  private final int port;

  private LocalMosquitto(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts Mosquitto with its configuration and log in {@code work}; waits until it listens. */
  static LocalMosquitto start(Path work) throws IOException, InterruptedException {
    return start(work, List.of());
  }

  /** As {@link #start(Path)}, with more lines for {@code mosquitto.conf}. */
  static LocalMosquitto start(Path work, List<String> moreSettings)
      throws IOException, InterruptedException {
    int port = freePort();
    Path conf = work.resolve("mosquitto.conf");
    List<String> lines =
        new ArrayList<>(
            List.of(
                "listener " + port + " 127.0.0.1", "allow_anonymous true", "persistence false"));
    if ("root".equals(System.getProperty("user.name"))) {
      lines.add("user root");
    }
    lines.addAll(moreSettings);
    Files.write(conf, lines);
    String binary =
        Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
    Process process =
        new ProcessBuilder(binary, "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("mosquitto.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return new LocalMosquitto(process, port);
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "mosquitto did not start: see " + work.resolve("mosquitto.log"));
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
