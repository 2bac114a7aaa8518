package io.e4j.mqtt;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
 * mqtt.connect().join();
 * mqtt.subscribe("meters/+/reading", 1).join();
 * }</pre>
 *
 * <p>It reconnects by itself when the connection is lost or an attempt fails (first after 200 ms,
 * then waiting longer each time, up to {@link Settings#reconnectMaxDelay()}) until {@link
 * #disconnect()}. After a reconnection on a clean session the broker has forgotten the
 * subscriptions: subscribe again in {@link Events#connected()}.
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
   * Connects. Completes when the broker accepted the connection, exceptionally when this first
   * attempt failed; the next attempts go on by themselves.
   */
  CompletableFuture<Void> connect();

  /** Completes when the broker granted it; fails with {@link BrokerRefusedException} if refused. */
  CompletableFuture<Void> subscribe(String topicFilter, int qos);

  CompletableFuture<Void> unsubscribe(String topicFilter);

  /**
   * Completes when the broker acknowledged the message (QoS 1 and 2) or it was sent (QoS 0); fails
   * with {@link BrokerRefusedException} when an MQTT 5 broker refused it.
   */
  CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain);

  /** Whether it is connected now. */
  boolean isConnected();

  /**
   * Disconnects, and stops reconnecting (a reconnection under way too) until the next {@link
   * #connect()}. A persistent session stays on the broker.
   */
  CompletableFuture<Void> disconnect();

  Settings settings();

  /**
   * What happens on the connection, on the client's network threads; each does nothing by default.
   */
  interface Events {
    /** Every message the broker delivers, whichever subscription it matched. */
    default void received(String topic, byte[] payload, int qos, boolean retained) {}

    /** Every successful connection: the first, and each reconnection. */
    default void connected() {}

    /**
     * A connection was lost or an attempt failed (broker down, TLS refused, bad credentials); not
     * called for {@link MqttConnection#disconnect()} nor after it.
     */
    default void disconnected(Throwable cause) {}
  }

  /**
   * Where and how to connect: build it with {@link #builder()}. Its {@code toString} never shows
   * the password.
   *
   * @param mqttVersion 3 (MQTT 3.1.1) or 5
   * @param tls whether to connect over TLS
   * @param trustManagers what to trust over TLS; null for the JDK's default trusted certificates
   * @param username null for none
   * @param password null for none
   * @param cleanSession whether the broker forgets the subscriptions and queued messages when the
   *     client disconnects
   * @param sessionExpiry how long the broker keeps a persistent session (MQTT 5)
   * @param reconnectMaxDelay the longest wait between reconnection attempts
   */
  record Settings(
      String host,
      int port,
      int mqttVersion,
      String clientId,
      boolean tls,
      TrustManagerFactory trustManagers,
      String username,
      byte[] password,
      boolean cleanSession,
      Duration sessionExpiry,
      Duration reconnectMaxDelay) {

    public Settings {
      checkPort(port);
      checkVersion(mqttVersion);
      password = password == null ? null : password.clone();
    }

    /**
     * A broker on localhost:1883 over MQTT 5 with a clean session, waiting at most 30 s between
     * reconnection attempts; the client ID must be set.
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
          + (mqttVersion == 5 ? "5" : "3.1.1")
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

    /** Checks each value as it is set. */
    public static final class Builder {
      private String host = "localhost";
      private int port = 1883;
      private int mqttVersion = 5;
      private String clientId;
      private boolean tls;
      private TrustManagerFactory trustManagers;
      private String username;
      private byte[] password;
      private boolean cleanSession = true;
      private Duration sessionExpiry = Duration.ZERO;
      private Duration reconnectMaxDelay = Duration.ofSeconds(30);

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

      /** 5 or 3 for MQTT 3.1.1. */
      public Builder mqttVersion(int version) {
        checkVersion(version);
        this.mqttVersion = version;
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

      public Builder credentials(String username, byte[] password) {
        this.username = username;
        this.password = password == null ? null : password.clone();
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
        this.reconnectMaxDelay = reconnectMaxDelay;
        return this;
      }

      public Settings build() {
        return new Settings(
            host,
            port,
            mqttVersion,
            clientId,
            tls,
            trustManagers,
            username,
            password,
            cleanSession,
            sessionExpiry,
            reconnectMaxDelay);
      }
    }
  }
}
