package io.e4j.server.internal.broker;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.client.parameter.ListenerType;
import com.hivemq.migration.meta.PersistenceType;
import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT broker inside the C2 process, HiveMQ CE in embedded mode, for the zero-setup run: MQTT
 * 3.1, 3.1.1 and 5, with sessions, subscriptions and queued messages kept under its directory
 * across restarts. C2's extension ({@link BrokerExtension}) decides who connects and what each
 * client may publish and subscribe to ({@link AccessPolicy}), and reports presence. Fleets use a
 * broker of their own instead.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.start(settings, directory, presence)) {
 *   C2Login login = broker.c2Login(); // for C2's own connection, and nobody else's
 *   broker.accessChanges().unlinked(deviceId, "sensors/t");
 * }
 * }</pre>
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int PERSISTENCE_BUCKETS = 8;
  static final String XODUS_CACHE_PERCENT = "exodus.memoryUsagePercentage";
  static final int XODUS_CACHE_HEAP_PERCENT = 5;

  private final EmbeddedHiveMQ hivemq;
  private final BrokerExtension extension;
  private final AccessPolicy policy;
  private final PresenceEvents presence;
  private final Lookups lookups;
  private final String host;
  private final int port;
  private final OptionalInt tlsPort;
  private final C2Login c2Login;
  private final Duration startTime;

  private EmbeddedBroker(
      EmbeddedHiveMQ hivemq,
      BrokerExtension extension,
      AccessPolicy policy,
      PresenceEvents presence,
      Lookups lookups,
      String host,
      int port,
      OptionalInt tlsPort,
      C2Login c2Login,
      Duration startTime) {
    this.hivemq = hivemq;
    this.extension = extension;
    this.policy = policy;
    this.presence = presence;
    this.lookups = lookups;
    this.host = host;
    this.port = port;
    this.tlsPort = tlsPort;
    this.c2Login = c2Login;
    this.startTime = startTime;
  }

  /**
   * Where the broker listens and who may use it.
   *
   * @param port 0: any free port
   * @param tls {@code null}: no TLS listener
   * @param directory the broker's own directory (C2's: {@code <data>/broker})
   * @param c2ClientId the client ID only C2's own connection may use
   */
  public record Settings(
      String host, int port, Access access, TlsListener tls, Path directory, String c2ClientId) {
    public Settings {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(access, "access");
      Objects.requireNonNull(directory, "directory");
      Objects.requireNonNull(c2ClientId, "c2ClientId");
    }
  }

  /**
   * The TLS listener.
   *
   * @param port 0: any free port
   * @param certificate PEM certificate chain
   * @param privateKey its unencrypted PEM private key
   */
  public record TlsListener(int port, Path certificate, Path privateKey) {}

  /**
   * How C2's own connection logs in: its client ID, user name and a password drawn at each start,
   * which never leaves the process.
   */
  public record C2Login(String clientId, String username, String password) {
    @Override
    public String toString() {
      return "C2Login[" + clientId + ", password hidden]";
    }
  }

  /**
   * Starts the broker and waits until it listens.
   *
   * @param directory asked about devices' logins and links in {@code devices} access mode
   * @param listener told about presence, on a thread of the broker's
   * @throws C2Exception {@code CONFIGURATION} when a port is taken or the files cannot be written
   */
  public static EmbeddedBroker start(
      Settings settings, DeviceDirectory directory, BrokerPresence listener) {
    long started = System.nanoTime();
    checkFree(settings.host(), settings.port());
    if (settings.tls() != null) {
      checkFree(settings.host(), settings.tls().port());
    }
    SecureRandom random = new SecureRandom();
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    Arrays.fill(secret, (byte) 0);
    BrokerFiles files =
        BrokerFiles.write(
            settings.directory(), settings.host(), settings.port(), settings.tls(), random);
    AccessPolicy policy =
        new AccessPolicy(
            settings.access(),
            settings.c2ClientId(),
            password.getBytes(StandardCharsets.UTF_8),
            directory);
    PresenceEvents presence = new PresenceEvents(listener);
    Lookups lookups = new Lookups();
    BrokerExtension extension = new BrokerExtension(policy, presence, lookups);
    EmbeddedHiveMQ hivemq = null;
    try {
      hivemq = build(files, extension);
      startAndWait(hivemq, settings);
      if (!extension.started()) {
        throw new C2Exception(
            Reason.CONFIGURATION, "the embedded MQTT broker did not start C2's access control");
      }
      int bound = boundPort(extension, ListenerType.TCP_LISTENER, settings.host(), settings.port());
      OptionalInt boundTls =
          settings.tls() == null
              ? OptionalInt.empty()
              : OptionalInt.of(
                  boundPort(
                      extension,
                      ListenerType.TLS_TCP_LISTENER,
                      settings.host(),
                      settings.tls().port()));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      LOG.info(
          "embedded MQTT broker listening on {}:{}{} (HiveMQ CE, {} access, started in {} ms)",
          settings.host(),
          bound,
          boundTls.isPresent() ? ", MQTT over TLS on port " + boundTls.getAsInt() : "",
          settings.access().name().toLowerCase(Locale.ROOT),
          took.toMillis());
      return new EmbeddedBroker(
          hivemq,
          extension,
          policy,
          presence,
          lookups,
          settings.host(),
          bound,
          boundTls,
          new C2Login(settings.c2ClientId(), settings.c2ClientId(), password),
          took);
    } catch (RuntimeException e) {
      stop(hivemq);
      lookups.close();
      presence.close();
      policy.forget();
      throw e;
    }
  }

  private static EmbeddedHiveMQ build(BrokerFiles files, BrokerExtension extension) {
    // HiveMQ-wide settings (static in HiveMQ; this process runs one broker at a time):
    // - payloads and retained messages in Xodus like HiveMQ's other persistences: pure Java, so
    //   the broker runs wherever the JVM does, RocksDB's native libraries are never loaded (the e4
    //   jar leaves them out) and memory stays on the heap;
    // - 8 buckets per persistence instead of 64: a fifth of the start-up time, ample for a lab's
    //   clients. Fixed: a data directory written with one count is read with the same;
    // - no JMX beans for HiveMQ's metrics in C2's JVM.
    InternalConfigurations.PAYLOAD_PERSISTENCE_TYPE.set(PersistenceType.FILE);
    InternalConfigurations.RETAINED_MESSAGE_PERSISTENCE_TYPE.set(PersistenceType.FILE);
    InternalConfigurations.PERSISTENCE_BUCKET_COUNT.set(PERSISTENCE_BUCKETS);
    InternalConfigurations.PAYLOAD_PERSISTENCE_BUCKET_COUNT.set(PERSISTENCE_BUCKETS);
    InternalConfigurations.JMX_REPORTER_ENABLED.set(false);
    // Xodus caches its log pages, up to half the heap unless told otherwise (a JVM-wide setting,
    // read from a system property): C2's heap is C2's. An operator's own setting stands.
    if (System.getProperty(XODUS_CACHE_PERCENT) == null) {
      System.setProperty(XODUS_CACHE_PERCENT, Integer.toString(XODUS_CACHE_HEAP_PERCENT));
    }
    EmbeddedHiveMQ hivemq =
        EmbeddedHiveMQ.builder()
            .withConfigurationFolder(files.configuration)
            .withDataFolder(files.data)
            .withExtensionsFolder(files.extensions)
            .withEmbeddedExtension(
                EmbeddedExtension.builder()
                    .withId("e4j-c2-access")
                    .withName("e4j C2 access control and presence")
                    .withVersion("1")
                    .withAuthor("e4j")
                    .withPriority(1000)
                    .withStartPriority(1000)
                    .withExtensionMain(extension)
                    .build())
            // C2's logging configuration stays C2's: HiveMQ's loggers go through SLF4J as they are.
            .withoutLoggingBootstrap()
            .build();
    // build() lets unauthenticated clients in when no authenticator is registered: should C2's
    // extension fail to start, nobody gets in.
    InternalConfigurations.AUTH_DENY_UNAUTHENTICATED_CONNECTIONS.set(true);
    return hivemq;
  }

  /**
   * Starts HiveMQ. It installs a process-wide handler for uncaught exceptions that exits the JVM on
   * errors it deems fatal; C2's process is not HiveMQ's to exit, so the previous handler comes
   * back.
   */
  private static void startAndWait(EmbeddedHiveMQ hivemq, Settings settings) {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    try {
      hivemq.start().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new C2Exception(
          Reason.CONFIGURATION,
          "the embedded MQTT broker did not start on "
              + settings.host()
              + ":"
              + settings.port()
              + (e.getCause() == null || e.getCause().getMessage() == null
                  ? " (a port taken, or its directory " + settings.directory() + " in use?)"
                  : ": " + e.getCause().getMessage()),
          e.getCause());
    } catch (TimeoutException e) {
      throw new C2Exception(
          Reason.CONFIGURATION,
          "the embedded MQTT broker did not start within " + START_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new C2Exception(Reason.CONFIGURATION, "interrupted while the broker started");
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
  }

  /**
   * A port taken fails here, with one clear sentence: HiveMQ would only log it, and start without
   * the listener if another one bound.
   */
  private static void checkFree(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new C2Exception(
          Reason.CONFIGURATION,
          "the embedded MQTT broker cannot listen on "
              + host
              + ":"
              + port
              + ": "
              + e.getMessage()
              + " (another broker running? set broker.port, or 0 for any free port)");
    }
  }

  /** The port a listener bound: HiveMQ reports a listener asked for port 0 with its real port. */
  private static int boundPort(
      BrokerExtension extension, ListenerType type, String host, int asked) {
    for (Listener listener : extension.listeners()) {
      if (listener.getListenerType() == type && listener.getPort() != 0) {
        return listener.getPort();
      }
    }
    throw new C2Exception(
        Reason.CONFIGURATION,
        "the embedded MQTT broker did not bind " + host + ":" + asked + " (" + type + ")");
  }

  public String host() {
    return host;
  }

  /** The plain MQTT port (the one bound, when asked for any free port). */
  public int port() {
    return port;
  }

  /** The MQTT over TLS port, when there is a TLS listener. */
  public OptionalInt tlsPort() {
    return tlsPort;
  }

  /** How C2's own connection logs in. */
  public C2Login c2Login() {
    return c2Login;
  }

  /** Where C2 reports changes to devices and links. */
  public AccessChanges accessChanges() {
    return extension.changes();
  }

  /** How long {@link #start} took, until the broker listened. */
  public Duration startTime() {
    return startTime;
  }

  /**
   * Stops the broker (its sessions and queued messages stay in its directory), then its threads.
   */
  @Override
  public void close() {
    stop(hivemq);
    presence.close();
    lookups.close();
    policy.forget();
  }

  private static void stop(EmbeddedHiveMQ hivemq) {
    if (hivemq == null) {
      return;
    }
    try {
      Thread closing = new Thread(() -> closeQuietly(hivemq), "e4j-broker-stop");
      closing.start();
      closing.join(STOP_TIMEOUT.toMillis());
      if (closing.isAlive()) {
        LOG.warn("the embedded MQTT broker did not stop within {} s", STOP_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(EmbeddedHiveMQ hivemq) {
    try {
      hivemq.close();
    } catch (Exception e) {
      LOG.warn("the embedded MQTT broker did not stop cleanly: {}", e.toString());
    }
  }

  @Override
  public String toString() {
    return "EmbeddedBroker[" + host + ":" + port + ", " + policy.mode() + "]";
  }
}
