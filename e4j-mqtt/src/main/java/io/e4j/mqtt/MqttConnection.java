package io.e4j.mqtt;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.net.ssl.TrustManagerFactory;

/**
 * One client connection to an MQTT broker, MQTT 3.1.1 or 5, without E4: {@link E4MqttClient}
 * protects and unprotects on top of it, and C2 publishes its commands with it.
 *
 * <pre>{@code
 * MqttConnection mqtt = MqttConnection.create(
 *     MqttConnection.Settings.builder().host("broker.example").port(8883).tls(trust)
 *         .clientId("gateway-7").credentials("gateway-7", password).build(),
 *     new MqttConnection.Events() {
 *       public void received(String topic, byte[] payload, int qos, boolean retained) { ... }
 *     });
 * mqtt.connect().join();   // BrokerRefusedException, BrokerUnreachableException
 * mqtt.subscribe("meters/+/reading", 1).join();
 * }</pre>
 *
 * <p><b>Failures.</b> {@link #connect()} ends with the first attempt: connected, or failed with the
 * reason in words. A refusal ({@link BrokerRefusedException}: CONNACK error code, failed TLS
 * handshake, MQTT version the broker does not speak) is never retried: the same attempt would get
 * the same answer, and an endless retry hides a configuration mistake. A broker that cannot be
 * reached ({@link BrokerUnreachableException}: nothing listening, no answer within {@link
 * Settings#connectTimeout()}) fails connect() too, and nothing goes on in the background, unless
 * {@link Settings#retryFirstConnection()} asks to wait for the broker (for a service that may start
 * before it).
 *
 * <p>Once connected, a lost connection is retried by itself (first after 200 ms, then waiting
 * longer each time, up to {@link Settings#reconnectMaxDelay()}) until {@link #disconnect()}: each
 * failed attempt is reported to {@link Events#disconnected}. A reconnection the broker refuses
 * (credentials revoked, certificate replaced) ends the retries and is reported to {@link
 * Events#refused}; the connection stays down until {@link #connect()}. After a reconnection on a
 * clean session the broker has forgotten the subscriptions: subscribe again in {@link
 * Events#connected()}.
 *
 * <p><b>MQTT version.</b> Unless {@link Settings.Builder#mqttVersion(int)} chooses one, it connects
 * with MQTT 5 and, if the broker refuses that version, at once with MQTT 3.1.1, which it keeps to
 * for the reconnections; {@link #mqttVersion()} tells which. A chosen version is never changed: a
 * broker that does not speak it refuses with {@link
 * BrokerRefusedException.Reason#PROTOCOL_VERSION}.
 *
 * <p>Threads: every method may be called from any thread and returns at once. The futures complete,
 * and the events run, on the client's network threads: keep that work short, and never wait there
 * for another operation of the same connection.
 */
public interface MqttConnection {

  /** A connection, not connected yet: call {@link #connect()}. */
  static MqttConnection create(Settings settings, Events events) {
    return new HiveMqConnection(settings, events);
  }

  /**
   * Connects. Completes when the broker accepted the connection. Fails with {@link
   * BrokerRefusedException} when the broker refused it, and with {@link BrokerUnreachableException}
   * when it could not be reached (unless {@link Settings#retryFirstConnection()}, which keeps
   * trying until connected, refused or {@link #disconnect()}). After a failure nothing goes on in
   * the background.
   */
  CompletableFuture<Void> connect();

  /** Completes when the broker granted it; fails with {@link BrokerRefusedException} if refused. */
  CompletableFuture<Void> subscribe(String topicFilter, int qos);

  CompletableFuture<Void> unsubscribe(String topicFilter);

  /**
   * Completes when the broker acknowledged the message (QoS 1 and 2) or it was sent (QoS 0); fails
   * with {@link BrokerRefusedException} ({@link BrokerRefusedException.Reason#MESSAGE}, with the
   * broker's reason code and words) when an MQTT 5 broker refused it. An MQTT 3.1.1 broker cannot
   * refuse a message: it acknowledges, and may drop it.
   */
  CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain);

  /** Whether it is connected now. */
  boolean isConnected();

  /**
   * The MQTT version of the connection: 5, or 3 (3.1.1) once a broker refused MQTT 5 and the
   * version was not chosen. Before the first connection, the version that will be tried first.
   */
  int mqttVersion();

  /**
   * Disconnects, and stops reconnecting (a reconnection under way too) until the next {@link
   * #connect()}. A persistent session stays on the broker.
   */
  CompletableFuture<Void> disconnect();

  Settings settings();

  /**
   * What happens on the connection, on the client's network threads; each does nothing by default.
   * Nothing is reported for {@link MqttConnection#disconnect()} nor after it, and what ends {@link
   * MqttConnection#connect()} is told by its future.
   */
  interface Events {
    /** Every message the broker delivers, whichever subscription it matched. */
    default void received(String topic, byte[] payload, int qos, boolean retained) {}

    /** Every successful connection: the first, and each reconnection. */
    default void connected() {}

    /**
     * The connection is down and the next attempt follows by itself: the connection was lost (the
     * broker stopped, the network failed), or an attempt to reconnect failed for a reason that may
     * pass ({@link BrokerUnreachableException}).
     */
    default void disconnected(Throwable cause) {}

    /**
     * The broker refused a reconnection (credentials revoked, certificate replaced, client banned):
     * no attempt follows until {@link MqttConnection#connect()}.
     */
    default void refused(BrokerRefusedException refusal) {}
  }

  /**
   * Where and how to connect: build it with {@link #builder()}. Its {@code toString} never shows
   * the password.
   *
   * @param mqttVersion 3 (MQTT 3.1.1) or 5: the version of the first attempt
   * @param mqtt3Fallback whether MQTT 5 refused for its version is followed at once by MQTT 3.1.1
   *     (true unless a version was chosen)
   * @param tls whether to connect over TLS
   * @param trustManagers what to trust over TLS; null for the JDK's default trusted certificates
   * @param username null for none
   * @param password a fixed password; null for none, or when {@code passwordEachConnection} gives
   *     it
   * @param passwordEachConnection asked for the password at each CONNECT, the automatic
   *     reconnections included, for a password that changes while connected (a device's broker
   *     password changes with its key); null for a fixed password or none. It returns a new array
   *     each time (or null for none), which the connection zeroes once the CONNECT is sent; it runs
   *     on the caller's thread for {@link MqttConnection#connect()} and on the client's network
   *     threads for reconnections, so it must be quick and must not wait on the connection
   * @param cleanSession whether the broker forgets the subscriptions and queued messages when the
   *     client disconnects
   * @param sessionExpiry how long the broker keeps a persistent session (MQTT 5)
   * @param reconnectMaxDelay the longest wait between reconnection attempts
   * @param retryFirstConnection whether {@link MqttConnection#connect()} keeps trying while the
   *     broker cannot be reached, instead of failing
   * @param connectTimeout how long one attempt waits for the TCP connection, for the TLS handshake
   *     and for the broker's CONNACK, each
   */
  record Settings(
      String host,
      int port,
      int mqttVersion,
      boolean mqtt3Fallback,
      String clientId,
      boolean tls,
      TrustManagerFactory trustManagers,
      String username,
      byte[] password,
      Supplier<byte[]> passwordEachConnection,
      boolean cleanSession,
      Duration sessionExpiry,
      Duration reconnectMaxDelay,
      boolean retryFirstConnection,
      Duration connectTimeout) {

    public Settings {
      checkPort(port);
      checkVersion(mqttVersion);
      checkPositive(connectTimeout, "connectTimeout");
      checkPositive(reconnectMaxDelay, "reconnectMaxDelay");
      mqtt3Fallback = mqtt3Fallback && mqttVersion == 5;
      if (password != null && passwordEachConnection != null) {
        throw new IllegalArgumentException(
            "a fixed password or a password taken at each connection, not both");
      }
      password = password == null ? null : password.clone();
    }

    /**
     * A broker on localhost:1883 over MQTT 5 (or 3.1.1 if that is all it speaks) with a clean
     * session; connect() fails when the broker cannot be reached within 10 s; at most 30 s between
     * reconnection attempts. The client ID must be set.
     */
    public static Builder builder() {
      return new Builder();
    }

    @Override
    public byte[] password() {
      return password == null ? null : password.clone();
    }

    /** {@code mqtt://host:port}, or {@code mqtts://} over TLS. */
    public String address() {
      return (tls ? "mqtts://" : "mqtt://") + host + ":" + port;
    }

    @Override
    public String toString() {
      return address()
          + " (MQTT "
          + (mqttVersion == 5 ? (mqtt3Fallback ? "5 or 3.1.1" : "5") : "3.1.1")
          + ", client "
          + clientId
          + (cleanSession ? ", clean session" : ", persistent session")
          + ")";
    }

    private static void checkPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("a port is 1 to 65535, got " + port);
      }
    }

    private static void checkVersion(int version) {
      if (version != 3 && version != 5) {
        throw new IllegalArgumentException("MQTT version is 3 (3.1.1) or 5, got " + version);
      }
    }

    private static void checkPositive(Duration duration, String name) {
      if (duration == null || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + duration);
      }
    }

    /** Checks each value as it is set. */
    public static final class Builder {
      private String host = "localhost";
      private int port = 1883;
      private int mqttVersion = 5;
      private boolean mqtt3Fallback = true;
      private String clientId;
      private boolean tls;
      private TrustManagerFactory trustManagers;
      private String username;
      private byte[] password;
      private Supplier<byte[]> passwordEachConnection;
      private boolean cleanSession = true;
      private Duration sessionExpiry = Duration.ZERO;
      private Duration reconnectMaxDelay = Duration.ofSeconds(30);
      private boolean retryFirstConnection;
      private Duration connectTimeout = Duration.ofSeconds(10);

      private Builder() {}

      public Builder host(String host) {
        this.host = host;
        return this;
      }

      public Builder port(int port) {
        checkPort(port);
        this.port = port;
        return this;
      }

      /**
       * 5 or 3 for MQTT 3.1.1, and only that version. Without it: MQTT 5, or 3.1.1 if the broker
       * refuses MQTT 5 for its version.
       */
      public Builder mqttVersion(int version) {
        checkVersion(version);
        this.mqttVersion = version;
        this.mqtt3Fallback = false;
        return this;
      }

      public Builder clientId(String clientId) {
        this.clientId = clientId;
        return this;
      }

      /** Connect over TLS, trusting {@code trustManagers}; null for the JDK's default trust. */
      public Builder tls(TrustManagerFactory trustManagers) {
        this.tls = true;
        this.trustManagers = trustManagers;
        return this;
      }

      /** A user name and a fixed password (copied; null for none). */
      public Builder credentials(String username, byte[] password) {
        this.username = username;
        this.password = password == null ? null : password.clone();
        this.passwordEachConnection = null;
        return this;
      }

      /**
       * A user name and a password asked of {@code password} at each CONNECT, the automatic
       * reconnections included (see {@link Settings#passwordEachConnection()}): for a password that
       * changes while connected. Replaces a fixed password.
       */
      public Builder credentialsEachConnection(String username, Supplier<byte[]> password) {
        if (password == null) {
          throw new IllegalArgumentException("the password supplier is null");
        }
        this.username = username;
        this.password = null;
        this.passwordEachConnection = password;
        return this;
      }

      public Builder cleanSession(boolean cleanSession) {
        this.cleanSession = cleanSession;
        return this;
      }

      public Builder sessionExpiry(Duration sessionExpiry) {
        this.sessionExpiry = sessionExpiry;
        return this;
      }

      public Builder reconnectMaxDelay(Duration reconnectMaxDelay) {
        checkPositive(reconnectMaxDelay, "reconnectMaxDelay");
        this.reconnectMaxDelay = reconnectMaxDelay;
        return this;
      }

      /**
       * Whether {@link MqttConnection#connect()} keeps trying while the broker cannot be reached
       * (false by default: it fails). For a service that may start before its broker; a refusal
       * still ends connect().
       */
      public Builder retryFirstConnection(boolean retry) {
        this.retryFirstConnection = retry;
        return this;
      }

      /**
       * How long one attempt waits for the TCP connection, the TLS handshake and the broker's
       * CONNACK, each (10 s by default).
       */
      public Builder connectTimeout(Duration connectTimeout) {
        checkPositive(connectTimeout, "connectTimeout");
        this.connectTimeout = connectTimeout;
        return this;
      }

      public Settings build() {
        return new Settings(
            host,
            port,
            mqttVersion,
            mqtt3Fallback,
            clientId,
            tls,
            trustManagers,
            username,
            password,
            passwordEachConnection,
            cleanSession,
            sessionExpiry,
            reconnectMaxDelay,
            retryFirstConnection,
            connectTimeout);
      }
    }
  }
}
