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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker (Debian's package) on a free loopback port, with persistence so that
 * sessions survive {@link #restart()}. {@code .ci/run} installs it when it is absent.
 */
public final class Mosquitto implements AutoCloseable {
  private final Path directory;
  private final int port;
  private final TestCertificates tls;
  private final Path passwordFile;
  private Path aclFile;
  private boolean publishesLog;
  private Process process;

  private Mosquitto(Path directory, int port, TestCertificates tls, Path passwordFile) {
    this.directory = directory;
    this.port = port;
    this.tls = tls;
    this.passwordFile = passwordFile;
  }

  /**
   * An anonymous broker that also publishes its log of subscriptions and notices on {@code
   * $SYS/broker/log/...}, which C2 reads devices' presence from ({@code broker.presence =
   * mosquitto-log}).
   */
  public static Mosquitto startPublishingLog(Path directory) throws IOException {
    Mosquitto broker = new Mosquitto(directory, freePort(), null, null);
    broker.publishesLog = true;
    broker.writeConfig();
    broker.launch();
    return broker;
  }

  public static Mosquitto start(Path directory) throws IOException {
    return start(directory, null);
  }

  /** A broker that speaks only TLS, with the given certificates. */
  public static Mosquitto start(Path directory, TestCertificates tls) throws IOException {
    Mosquitto broker = new Mosquitto(directory, freePort(), tls, null);
    broker.writeConfig();
    broker.launch();
    return broker;
  }

  /** A broker that admits only {@code username} with {@code password}. */
  public static Mosquitto startWithPassword(Path directory, String username, String password)
      throws IOException {
    return start(directory, null, Map.of(username, password));
  }

  /**
   * A broker that admits only the given users (name to password), over TLS with the given
   * certificates unless {@code tls} is null.
   */
  public static Mosquitto start(Path directory, TestCertificates tls, Map<String, String> users)
      throws IOException {
    return start(directory, tls, users, null);
  }

  /**
   * A broker that admits only the given users (name to password) and lets them use only the topics
   * that {@code acl} grants: the lines of a Mosquitto {@code acl_file}, e.g. {@code user device}
   * then {@code topic readwrite plant/#}. Anything else they publish is refused (MQTT 5: PUBACK or
   * PUBREC 0x87) or dropped (MQTT 3.1.1).
   */
  public static Mosquitto startWithAcl(Path directory, Map<String, String> users, List<String> acl)
      throws IOException {
    return start(directory, null, users, acl);
  }

  private static Mosquitto start(
      Path directory, TestCertificates tls, Map<String, String> users, List<String> acl)
      throws IOException {
    if (users.isEmpty()) {
      throw new IllegalArgumentException("at least one user");
    }
    Path passwordFile = directory.resolve("passwords");
    boolean first = true;
    for (Map.Entry<String, String> user : users.entrySet()) {
      List<String> command = new ArrayList<>(List.of(executable("mosquitto_passwd"), "-b"));
      if (first) {
        command.add("-c");
        first = false;
      }
      command.addAll(List.of(passwordFile.toString(), user.getKey(), user.getValue()));
      runToCompletion(command);
    }
    Mosquitto broker = new Mosquitto(directory, freePort(), tls, passwordFile);
    if (acl != null) {
      broker.aclFile = Files.write(directory.resolve("acl"), acl);
    }
    broker.writeConfig();
    broker.launch();
    return broker;
  }

  private static void runToCompletion(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (process.waitFor() != 0) {
        throw new IllegalStateException(
            "mosquitto_passwd failed: " + new String(process.getInputStream().readAllBytes()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running mosquitto_passwd", e);
    }
  }

  public int port() {
    return port;
  }

  /**
   * Gives {@code username} a new password in the password file (a broker started with users); it
   * takes effect at the next {@link #restart()}.
   */
  public void setPassword(String username, String password) throws IOException {
    if (passwordFile == null) {
      throw new IllegalStateException("this broker admits anyone: start it with users");
    }
    runToCompletion(
        List.of(executable("mosquitto_passwd"), "-b", passwordFile.toString(), username, password));
  }

  /** How many TCP connections it accepted so far, as its log tells (across restarts). */
  public long connectionsAccepted() throws IOException {
    Path log = directory.resolve("mosquitto.log");
    if (!Files.exists(log)) {
      return 0;
    }
    try (var lines = Files.lines(log)) {
      return lines.filter(line -> line.contains("New connection from")).count();
    }
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

  /**
   * Freezes it (SIGSTOP): connections stay open, nothing is answered, as with a broker stuck or far
   * away; {@link #thaw} resumes it.
   */
  public void freeze() throws IOException {
    signal("-STOP");
  }

  public void thaw() throws IOException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException {
    try {
      Process kill =
          new ProcessBuilder("kill", signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (kill.waitFor() != 0) {
        throw new IOException(
            "kill " + signal + " failed: " + new String(kill.getInputStream().readAllBytes()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while signalling mosquitto", e);
    }
  }

  public void restart() throws IOException {
    stop();
    launch();
  }

  @Override
  public void close() {
    try {
      thaw();
    } catch (IOException e) {
      // Not frozen, or gone: stopping it is all that matters.
    }
    stop();
  }

  private void writeConfig() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("listener " + port + " 127.0.0.1");
    if (tls != null) {
      lines.add("certfile " + tls.serverCertificate());
      lines.add("keyfile " + tls.serverKey());
    }
    if (passwordFile != null) {
      lines.add("allow_anonymous false");
      lines.add("password_file " + passwordFile);
      if (aclFile != null) {
        lines.add("acl_file " + aclFile);
      }
    } else {
      lines.add("allow_anonymous true");
    }
    lines.add("persistence true");
    lines.add("persistence_location " + directory + "/");
    lines.add("log_dest file " + directory.resolve("mosquitto.log"));
    if (publishesLog) {
      lines.add("log_dest topic");
      lines.add("log_type error");
      lines.add("log_type warning");
      lines.add("log_type notice");
      lines.add("log_type subscribe");
    }
    if ("root".equals(System.getProperty("user.name"))) {
      // Mosquitto started as root switches to its own user, which cannot write here.
      lines.add("user root");
    }
    Files.write(directory.resolve("mosquitto.conf"), lines);
  }

  private void launch() throws IOException {
    process =
        new ProcessBuilder(
                executable("mosquitto"), "-c", directory.resolve("mosquitto.conf").toString())
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

  /** A program of Debian's mosquitto package, wherever it is installed. */
  private static String executable(String name) {
    List<String> directories =
        new ArrayList<>(List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"));
    directories.addAll(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    for (String directory : directories) {
      Path candidate = Path.of(directory, name);
      if (!directory.isEmpty() && Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        name + " is not installed: apt-get install -y mosquitto (.ci/run does this)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
