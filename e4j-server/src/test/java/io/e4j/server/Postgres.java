package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian's package, the highest version under {@code
 * /usr/lib/postgresql}) on a free loopback port, in a throw-away cluster under a test's temporary
 * directory. {@code .ci/run} installs the package when it is absent.
 */
public final class Postgres implements AutoCloseable {
  private static final Path INSTALLATIONS = Path.of("/usr/lib/postgresql");
  private static final String OS_USER = "postgres";
  private static final String USER = "e4j";
  private static final String DATABASE = "e4j";
  private static final int START_ATTEMPTS = 3;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  private final Cluster cluster;
  private final int port;
  private boolean closed;

  private Postgres(Cluster cluster, int port) {
    this.cluster = cluster;
    this.port = port;
  }

  /** Whether PostgreSQL's server programs are installed, so tests can say what is missing. */
  public static boolean available() {
    return binaries().isPresent();
  }

  /**
   * Creates a cluster under {@code dir}, starts it and creates the database {@code e4j}, owned by
   * {@link #user()}.
   */
  public static Postgres start(Path dir) throws IOException {
    Path bin =
        binaries()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "PostgreSQL is not installed (no "
                            + INSTALLATIONS
                            + "/*/bin/initdb): apt-get install -y postgresql (.ci/run does this)"));
    Cluster cluster = Cluster.create(bin, dir.toAbsolutePath(), runningAsRoot(dir));
    cluster.initdb();
    return startOnFreePort(cluster);
  }

  public String jdbcUrl() {
    return url(DATABASE);
  }

  public String user() {
    return USER;
  }

  public String password() {
    return cluster.password();
  }

  /** Stops the server and waits until it is gone; a second call does nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
  }

  private static Postgres startOnFreePort(Cluster cluster) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Postgres server = new Postgres(cluster, freePort());
      Result result = server.launch();
      if (result.exit() == 0) {
        server.becomeReady();
        return server;
      }
      server.stop();
      // Another process may take the port between freePort() and the server binding it.
      if (attempt == START_ATTEMPTS || !server.log().contains("Address already in use")) {
        throw new IllegalStateException(
            "PostgreSQL did not start on port "
                + server.port
                + " (attempt "
                + attempt
                + "): "
                + result.output()
                + "\n--- server log ---\n"
                + server.log());
      }
    }
  }

  private Result launch() throws IOException {
    // The port goes on the command line so that a retry needs no change to postgresql.conf.
    return cluster.run(
        cluster.program("pg_ctl"),
        "start",
        "-D",
        cluster.data().toString(),
        "-l",
        logFile().toString(),
        "-w",
        "-t",
        Long.toString(READY_TIMEOUT.toSeconds()),
        "-o",
        "-p " + port);
  }

  /** Waits for JDBC connections and creates the database; stops the server if either fails. */
  private void becomeReady() throws IOException {
    try {
      awaitConnections();
      createDatabase();
    } catch (RuntimeException | IOException e) {
      try {
        close();
      } catch (RuntimeException stopFailure) {
        e.addSuppressed(stopFailure);
      }
      throw e;
    }
  }

  private void awaitConnections() throws IOException {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    SQLException last = null;
    while (Instant.now().isBefore(deadline)) {
      try (Connection ignored = connect("postgres")) {
        return;
      } catch (SQLException e) {
        last = e;
        pause();
      }
    }
    throw new IllegalStateException(
        "PostgreSQL did not accept JDBC connections on port "
            + port
            + " within "
            + READY_TIMEOUT.toSeconds()
            + " s: "
            + last
            + "\n--- server log ---\n"
            + log(),
        last);
  }

  private void createDatabase() throws IOException {
    try (Connection connection = connect("postgres");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
    } catch (SQLException e) {
      throw new IOException("could not create database " + DATABASE + ": " + log(), e);
    }
  }

  private Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", USER);
    properties.setProperty("password", cluster.password());
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url(database), properties);
  }

  private String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A fast shutdown; an immediate one if that fails, so that no server outlives the test. */
  private void stop() {
    try {
      Result fast = pgCtlStop("fast");
      if (fast.exit() != 0 && cluster.serverRunning()) {
        Result immediate = pgCtlStop("immediate");
        if (immediate.exit() != 0 && cluster.serverRunning()) {
          throw new IllegalStateException(
              "PostgreSQL on port "
                  + port
                  + " did not stop: "
                  + fast.output()
                  + immediate.output());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop PostgreSQL on port " + port, e);
    }
  }

  private Result pgCtlStop(String mode) throws IOException {
    return cluster.run(
        cluster.program("pg_ctl"),
        "stop",
        "-D",
        cluster.data().toString(),
        "-m",
        mode,
        "-w",
        "-t",
        Long.toString(READY_TIMEOUT.toSeconds()));
  }

  /** One log per attempt, so that a retry's message does not show an earlier port's errors. */
  private Path logFile() {
    return cluster.home().resolve("server-" + port + ".log");
  }

  private String log() throws IOException {
    return Files.exists(logFile()) ? new String(Files.readAllBytes(logFile()), UTF_8) : "";
  }

  /** The bin directory of the highest PostgreSQL version that has the server programs. */
  private static Optional<Path> binaries() {
    if (!Files.isDirectory(INSTALLATIONS)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(INSTALLATIONS)) {
      return versions
          .map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb")))
          .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")))
          .filter(bin -> version(bin) >= 0)
          .max(Comparator.comparingDouble(Postgres::version));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "9.6" and "15" both compare right as decimals; anything else is not a version. */
  private static double version(Path bin) {
    try {
      return Double.parseDouble(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Asks the OS rather than trusting {@code user.name}, which anyone can set. */
  private static boolean runningAsRoot(Path scratch) throws IOException {
    Result id = run(scratch, scratch, List.of("id", "-u"));
    if (id.exit() != 0) {
      throw new IllegalStateException("id -u failed: " + id.output());
    }
    return id.output().strip().equals("0");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
    }
  }

  /**
   * Runs a command to its end. Output goes to a file rather than a pipe: nothing can block on a
   * full pipe, and a server that inherits the output cannot keep us waiting for its end.
   */
  private static Result run(Path scratch, Path workingDirectory, List<String> command)
      throws IOException {
    Path output = Files.createTempFile(scratch, "command-", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workingDirectory.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      // PGDATA, PGPORT and friends of the developer's shell must not steer the test cluster.
      builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
      Process process = builder.start();
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(
            command
                + " did not finish within "
                + COMMAND_TIMEOUT.toSeconds()
                + " s: "
                + read(output));
      }
      return new Result(process.exitValue(), read(output));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String read(Path file) throws IOException {
    return new String(Files.readAllBytes(file), UTF_8);
  }

  private record Result(int exit, String output) {}

  /**
   * The cluster's files: {@code home} holds the data directory, the password file and the logs.
   * PostgreSQL refuses to run as root, so when the JVM is root the programs run as the {@code
   * postgres} OS user, who owns {@code home}.
   */
  private record Cluster(Path bin, Path scratch, Path home, boolean asPostgres, String password) {

    static Cluster create(Path bin, Path dir, boolean asPostgres) throws IOException {
      Path home = Files.createDirectory(dir.resolve("pg"));
      if (asPostgres) {
        UserPrincipal me = Files.getOwner(home);
        Files.setOwner(home, osUser());
        makeTraversable(dir, me);
      }
      return new Cluster(bin, dir, home, asPostgres, randomPassword());
    }

    Path data() {
      return home.resolve("data");
    }

    String program(String name) {
      return bin.resolve(name).toString();
    }

    void initdb() throws IOException {
      Path passwordFile = writePasswordFile();
      try {
        Result result =
            run(
                program("initdb"),
                "-D",
                data().toString(),
                "-U",
                USER,
                "--pwfile=" + passwordFile,
                "-A",
                "scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync");
        if (result.exit() != 0) {
          throw new IllegalStateException("initdb failed: " + result.output());
        }
      } finally {
        Files.deleteIfExists(passwordFile);
      }
      configure();
    }

    /**
     * Settings go in postgresql.conf rather than through {@code pg_ctl -o}, which passes its
     * argument through a shell: a path there would need quoting.
     */
    private void configure() throws IOException {
      List<String> settings =
          List.of(
              "",
              "# Test cluster: loopback only, durability off for speed.",
              "listen_addresses = '127.0.0.1'",
              "unix_socket_directories = " + quote(data().toString()),
              "fsync = off",
              "synchronous_commit = off",
              "full_page_writes = off",
              "shared_buffers = 16MB");
      Files.write(data().resolve("postgresql.conf"), settings, StandardOpenOption.APPEND);
    }

    private Path writePasswordFile() throws IOException {
      Path file = home.resolve("password");
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, password + "\n");
      if (asPostgres) {
        Files.setOwner(file, osUser());
      }
      return file;
    }

    /** Whether a postmaster still holds the data directory. */
    boolean serverRunning() {
      return Files.exists(data().resolve("postmaster.pid"));
    }

    Result run(String... command) throws IOException {
      List<String> full = new ArrayList<>();
      if (asPostgres) {
        full.addAll(List.of(runuser(), "-u", OS_USER, "--"));
      }
      full.addAll(List.of(command));
      return Postgres.run(scratch, home, full);
    }

    private static String runuser() {
      for (String candidate : List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")) {
        if (Files.isExecutable(Path.of(candidate))) {
          return candidate;
        }
      }
      return "runuser";
    }

    private static UserPrincipal osUser() throws IOException {
      try {
        return Path.of("/")
            .getFileSystem()
            .getUserPrincipalLookupService()
            .lookupPrincipalByName(OS_USER);
      } catch (UserPrincipalNotFoundException e) {
        throw new IllegalStateException(
            "running as root, PostgreSQL needs the OS user "
                + OS_USER
                + ", which Debian's postgresql package creates",
            e);
      }
    }

    /**
     * JUnit's temporary directories are private to their owner (rwx------), and the {@code
     * postgres} user must pass through them to reach its home. Search permission only: nobody can
     * list them.
     */
    private static void makeTraversable(Path dir, UserPrincipal me) throws IOException {
      for (Path path = dir; path != null; path = path.getParent()) {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
        if (!permissions.contains(PosixFilePermission.OTHERS_EXECUTE)
            && Files.getOwner(path).equals(me)) {
          permissions.add(PosixFilePermission.OTHERS_EXECUTE);
          Files.setPosixFilePermissions(path, permissions);
        }
      }
    }

    private static String quote(String value) {
      return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static String randomPassword() {
      byte[] bytes = new byte[16];
      new SecureRandom().nextBytes(bytes);
      return HexFormat.of().formatHex(bytes);
    }
  }
}
