package io.e4j.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything C2 needs to start. {@link #defaults(Path)} is the zero-setup run: H2 under the data
 * directory, the embedded MQTT broker on 127.0.0.1:1883 (open access), symmetric-key mode, a KEK
 * file in the data directory (generated on first start).
 *
 * @param kek where the key-encryption key comes from; {@code null}: the file {@code kek.key} in the
 *     data directory, generated on the first start of an empty store
 */
public record C2Config(
    Path dataDirectory,
    CryptoMode mode,
    Database database,
    KekSource kek,
    Broker broker,
    Delivery delivery,
    Api api) {

  public static final String DEFAULT_KEK_FILE = "kek.key";

  public C2Config {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(delivery, "delivery");
    Objects.requireNonNull(api, "api");
  }

  public static C2Config defaults(Path dataDirectory) {
    return new C2Config(
        dataDirectory,
        CryptoMode.SYMMETRIC_KEY,
        Database.embedded(),
        null,
        new EmbeddedMqtt("127.0.0.1", 1883),
        Delivery.defaults(),
        Api.defaults());
  }

  public C2Config withMode(CryptoMode mode) {
    return new C2Config(dataDirectory, mode, database, kek, broker, delivery, api);
  }

  public C2Config withDatabase(Database database) {
    return new C2Config(dataDirectory, mode, database, kek, broker, delivery, api);
  }

  public C2Config withKek(KekSource kek) {
    return new C2Config(dataDirectory, mode, database, kek, broker, delivery, api);
  }

  public C2Config withBroker(Broker broker) {
    return new C2Config(dataDirectory, mode, database, kek, broker, delivery, api);
  }

  public C2Config withDelivery(Delivery delivery) {
    return new C2Config(dataDirectory, mode, database, kek, broker, delivery, api);
  }

  public C2Config withApi(Api api) {
    return new C2Config(dataDirectory, mode, database, kek, broker, delivery, api);
  }

  /** The KEK source in effect: the configured one, or the data directory's key file. */
  public KekSource kekSource() {
    return kek != null ? kek : new KekSource.KeyFile(dataDirectory.resolve(DEFAULT_KEK_FILE));
  }

  /** Every problem with this configuration, each as a sentence naming its setting. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    problems.addAll(database.problems());
    problems.addAll(broker.problems());
    problems.addAll(delivery.problems());
    problems.addAll(api.problems());
    return problems;
  }

  /**
   * The key store's database.
   *
   * @param url a JDBC URL ({@code jdbc:postgresql://...} or {@code jdbc:h2:...}); empty: an H2 file
   *     in the data directory
   */
  public record Database(String url, String user, String password, int poolSize) {
    public static Database embedded() {
      return new Database("", "", "", 10);
    }

    public static Database of(String url, String user, String password) {
      return new Database(url, user, password, 10);
    }

    public boolean isEmbedded() {
      return url == null || url.isEmpty();
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (!isEmbedded() && !url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
        problems.add("database.url: '" + url + "' is neither jdbc:postgresql:... nor jdbc:h2:...");
      }
      if (poolSize < 2 || poolSize > 200) {
        problems.add("database.poolSize: must be 2 to 200, got " + poolSize);
      }
      return problems;
    }

    @Override
    public String toString() {
      return isEmbedded() ? "Database[embedded H2]" : "Database[" + url + ", user=" + user + "]";
    }
  }

  /** How commands reach devices. */
  public sealed interface Broker {
    List<String> problems();
  }

  /**
   * Where C2 learns that a device subscribed to its control topic, to send what it may have missed
   * (a broker drops a message for a client with no session). The embedded broker always tells.
   */
  public enum PresenceSource {
    /** The broker does not tell; e4j devices' key reports still do when they connect. */
    NONE,
    /**
     * Mosquitto's log, published on {@code $SYS} ({@code log_dest topic}, {@code log_type
     * subscribe}, {@code log_type notice}; C2's broker user may read {@code $SYS/broker/log/#}).
     */
    MOSQUITTO_LOG
  }

  /**
   * An MQTT broker inside the C2 process (HiveMQ CE: MQTT 3.1, 3.1.1 and 5), keeping sessions and
   * queued messages in {@code <dataDirectory>/broker} across restarts. C2 connects to it with a
   * secret generated at each start; nobody else may use C2's client ID or publish on control topics
   * ({@code e4/...}).
   *
   * @param port 0: any free port (see {@link io.e4j.server.node.C2Server#embeddedBrokerPort()})
   * @param access who may connect, and what devices may do
   * @param tls a second listener, for MQTT over TLS; {@code null}: none
   */
  public record EmbeddedMqtt(String host, int port, Access access, Tls tls) implements Broker {

    /** Plain MQTT only, open to any client (control topics stay C2's). */
    public EmbeddedMqtt(String host, int port) {
      this(host, port, Access.OPEN, null);
    }

    public EmbeddedMqtt withAccess(Access access) {
      return new EmbeddedMqtt(host, port, access, tls);
    }

    public EmbeddedMqtt withTls(Tls tls) {
      return new EmbeddedMqtt(host, port, access, tls);
    }

    /** Who may connect to the embedded broker. */
    public enum Access {
      /**
       * Any client connects, without credentials, and subscribes to anything; it publishes anywhere
       * but on control topics. For trying e4j out.
       */
      OPEN,
      /**
       * A client connects as a device: user name the device's name or hex ID, password its broker
       * credential. It subscribes to its own control topic and to topics it is linked to (exact
       * names, no wildcards), and publishes on those and on its reports topic. Links are applied
       * while devices stay connected.
       */
      DEVICES
    }

    /**
     * The TLS listener.
     *
     * @param port 0: any free port (see {@link
     *     io.e4j.server.node.C2Server#embeddedBrokerTlsPort()})
     * @param certificate PEM certificate chain, the broker's first; {@code null}: the API's
     *     certificate (the configured one, or the one generated in the data directory)
     * @param privateKey its PEM private key (PKCS#8, or PKCS#1/SEC 1), unencrypted
     */
    public record Tls(int port, Path certificate, Path privateKey) {}

    @Override
    public List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (host == null || host.isBlank()) {
        problems.add("broker.host: must not be empty");
      }
      if (port < 0 || port > 65535) {
        problems.add("broker.port: must be 0 to 65535, got " + port);
      }
      if (access == null) {
        problems.add("broker.access: must be open or devices");
      }
      if (tls != null) {
        if (tls.port() < 0 || tls.port() > 65535) {
          problems.add("broker.tlsPort: must be 0 to 65535, got " + tls.port());
        } else if (tls.port() != 0 && tls.port() == port) {
          problems.add("broker.tlsPort: must differ from broker.port (" + port + ")");
        }
        if ((tls.certificate() == null) != (tls.privateKey() == null)) {
          problems.add("broker.certificate and broker.privateKey: set both, or neither");
        }
        for (Path file : java.util.Arrays.asList(tls.certificate(), tls.privateKey())) {
          if (file != null && !java.nio.file.Files.isReadable(file)) {
            problems.add("broker: cannot read " + file);
          }
        }
      }
      return problems;
    }
  }

  /**
   * An external MQTT broker.
   *
   * @param trustStore a PKCS#12 or JKS file of trusted certificates for TLS; {@code null}: the
   *     JVM's default trust
   * @param version 3 (MQTT 3.1.1) or 5
   */
  public record Mqtt(
      String host,
      int port,
      boolean tls,
      Path trustStore,
      String trustStorePassword,
      String username,
      String password,
      int version,
      String clientId,
      PresenceSource presence)
      implements Broker {

    /** C2's MQTT client identifier unless configured otherwise. */
    public static final String DEFAULT_CLIENT_ID = "e4j-c2";

    /** MQTT 5 without TLS or credentials: for a broker on loopback. */
    public static Mqtt plain(String host, int port) {
      return new Mqtt(
          host, port, false, null, null, null, null, 5, DEFAULT_CLIENT_ID, PresenceSource.NONE);
    }

    public Mqtt withCredentials(String username, String password) {
      return new Mqtt(
          host,
          port,
          tls,
          trustStore,
          trustStorePassword,
          username,
          password,
          version,
          clientId,
          presence);
    }

    public Mqtt withVersion(int version) {
      return new Mqtt(
          host,
          port,
          tls,
          trustStore,
          trustStorePassword,
          username,
          password,
          version,
          clientId,
          presence);
    }

    /** Where C2 learns that devices subscribe to their control topics. */
    public Mqtt withPresence(PresenceSource presence) {
      return new Mqtt(
          host,
          port,
          tls,
          trustStore,
          trustStorePassword,
          username,
          password,
          version,
          clientId,
          presence);
    }

    @Override
    public List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (host == null || host.isBlank()) {
        problems.add("broker.host: must not be empty");
      }
      if (port < 1 || port > 65535) {
        problems.add("broker.port: must be 1 to 65535, got " + port);
      }
      if (version != 3 && version != 5) {
        problems.add("broker.mqttVersion: must be 3 or 5, got " + version);
      }
      if (clientId == null || clientId.isBlank()) {
        problems.add("broker.clientId: must not be empty");
      }
      if (trustStore != null && !tls) {
        problems.add("broker.trustStore: set, but broker.tls is false");
      }
      if (trustStore != null && !trustStore.toFile().canRead()) {
        problems.add("broker.trustStore: cannot read " + trustStore);
      }
      if (password != null && username == null) {
        problems.add("broker.password: set without broker.username");
      }
      return problems;
    }

    @Override
    public String toString() {
      return "Mqtt["
          + (tls ? "mqtts://" : "mqtt://")
          + host
          + ":"
          + port
          + ", version="
          + version
          + ", clientId="
          + clientId
          + (username == null ? "" : ", username=" + username + ", password hidden")
          + "]";
    }
  }

  /**
   * Kafka: commands go to {@code controlTopic}, keyed by the device's hex ID.
   *
   * @param properties extra producer properties (security settings, for example)
   */
  public record Kafka(String bootstrapServers, String controlTopic, Map<String, String> properties)
      implements Broker {
    public Kafka {
      properties = Map.copyOf(properties);
    }

    @Override
    public List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        problems.add("broker.bootstrapServers: must not be empty");
      }
      if (controlTopic == null || controlTopic.isBlank()) {
        problems.add("broker.controlTopic: must not be empty");
      }
      return problems;
    }

    @Override
    public String toString() {
      return "Kafka[" + bootstrapServers + ", topic=" + controlTopic + "]";
    }
  }

  /**
   * How the outbox is delivered.
   *
   * @param batchSize commands read from the outbox at a time
   * @param maxInFlight commands sent but not yet acknowledged, at most
   * @param ratePerSecond commands sent per second at most; 0: as fast as the transport takes them
   * @param ackTimeout how long to wait for the transport's acknowledgement before retrying
   * @param retryMin first retry delay; doubles at each attempt up to {@code retryMax}
   * @param retention how long delivered commands stay listed
   */
  public record Delivery(
      int batchSize,
      int maxInFlight,
      int ratePerSecond,
      Duration ackTimeout,
      Duration retryMin,
      Duration retryMax,
      Duration retention,
      Duration staleAfter) {

    public static Delivery defaults() {
      return new Delivery(
          1_000,
          4_000,
          0,
          Duration.ofSeconds(30),
          Duration.ofSeconds(1),
          Duration.ofSeconds(60),
          Duration.ofDays(7),
          Duration.ofMinutes(15));
    }

    public Delivery withRatePerSecond(int ratePerSecond) {
      return new Delivery(
          batchSize,
          maxInFlight,
          ratePerSecond,
          ackTimeout,
          retryMin,
          retryMax,
          retention,
          staleAfter);
    }

    public Delivery withAckTimeout(Duration ackTimeout) {
      return new Delivery(
          batchSize,
          maxInFlight,
          ratePerSecond,
          ackTimeout,
          retryMin,
          retryMax,
          retention,
          staleAfter);
    }

    public Delivery withStaleAfter(Duration staleAfter) {
      return new Delivery(
          batchSize,
          maxInFlight,
          ratePerSecond,
          ackTimeout,
          retryMin,
          retryMax,
          retention,
          staleAfter);
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (batchSize < 1 || batchSize > 10_000) {
        problems.add("delivery.batchSize: must be 1 to 10000, got " + batchSize);
      }
      if (maxInFlight < 1 || maxInFlight > 100_000) {
        problems.add("delivery.maxInFlight: must be 1 to 100000, got " + maxInFlight);
      }
      if (ratePerSecond < 0) {
        problems.add("delivery.ratePerSecond: must be 0 (unlimited) or more, got " + ratePerSecond);
      }
      for (var entry :
          List.of(
              Map.entry("delivery.ackTimeout", nonNull(ackTimeout)),
              Map.entry("delivery.retryMin", nonNull(retryMin)),
              Map.entry("delivery.retryMax", nonNull(retryMax)),
              Map.entry("delivery.staleAfter", nonNull(staleAfter)),
              Map.entry("delivery.retention", nonNull(retention)))) {
        if (entry.getValue().isNegative() || entry.getValue().isZero()) {
          problems.add(entry.getKey() + ": must be a positive duration");
        }
      }
      if (problems.isEmpty() && retryMax.compareTo(retryMin) < 0) {
        problems.add("delivery.retryMax: must not be shorter than delivery.retryMin");
      }
      return problems;
    }

    private static Duration nonNull(Duration duration) {
      return duration == null ? Duration.ZERO : duration;
    }
  }

  /**
   * C2's API: gRPC and HTTP/JSON on one TLS port, with API tokens.
   *
   * @param port 0: any free port (see {@link io.e4j.server.node.C2Server#apiPort()})
   * @param certificate PEM certificate chain; {@code null}: a self-signed certificate for the host,
   *     127.0.0.1 and localhost, generated in the data directory on first start
   * @param privateKey its PEM private key (PKCS#8), with {@code certificate}
   * @param clientCa PEM CA certificates: when set, clients must also present a certificate they
   *     signed (mutual TLS)
   */
  public record Api(
      boolean enabled,
      String host,
      int port,
      java.nio.file.Path certificate,
      java.nio.file.Path privateKey,
      java.nio.file.Path clientCa) {
    public static Api defaults() {
      return new Api(true, "127.0.0.1", 8443, null, null, null);
    }

    /** The defaults on another port (0: any free one). */
    public static Api onPort(int port) {
      return new Api(true, "127.0.0.1", port, null, null, null);
    }

    public static Api disabled() {
      return new Api(false, "127.0.0.1", 8443, null, null, null);
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (!enabled) {
        return problems;
      }
      if (host == null || host.isEmpty()) {
        problems.add("api.host: must not be empty");
      }
      if (port < 0 || port > 65535) {
        problems.add("api.port: must be 0 to 65535, got " + port);
      }
      if ((certificate == null) != (privateKey == null)) {
        problems.add("api.certificate and api.privateKey: set both, or neither");
      }
      for (var file : java.util.Arrays.asList(certificate, privateKey, clientCa)) {
        if (file != null && !java.nio.file.Files.isReadable(file)) {
          problems.add("api: cannot read " + file);
        }
      }
      return problems;
    }
  }
}
