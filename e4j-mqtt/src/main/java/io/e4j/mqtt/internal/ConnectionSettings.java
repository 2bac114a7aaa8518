package io.e4j.mqtt.internal;

import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where and how to connect: the public {@code MqttConnection.Settings} as the internals read them.
 *
 * @param mqttVersion 5 or 3 (MQTT 3.1.1): the version of the first attempt
 * @param mqtt3Fallback whether an MQTT 5 connection that the broker refuses for its version is
 *     tried again with MQTT 3.1.1
 * @param trustManagers what to trust over TLS; null for the JDK's default trusted certificates
 * @param username null for none
 * @param password asked at each CONNECT: a new array each time, or null for no password, zeroed by
 *     the transport once sent; null for no password ever. Never printed
 * @param sessionExpiry how long the broker keeps a persistent session (MQTT 5)
 * @param retryFirstConnection whether connect() keeps trying while the broker cannot be reached
 * @param connectTimeout how long one attempt may wait for the TCP connection, for the TLS handshake
 *     and for CONNACK, each
 */
public record ConnectionSettings(
    String host,
    int port,
    int mqttVersion,
    boolean mqtt3Fallback,
    String clientId,
    boolean tls,
    TrustManagerFactory trustManagers,
    String username,
    Supplier<byte[]> password,
    boolean cleanSession,
    Duration sessionExpiry,
    Duration reconnectMaxDelay,
    boolean retryFirstConnection,
    Duration connectTimeout) {

  /** {@code mqtt://host:port}, or {@code mqtts://} over TLS: how messages name the broker. */
  public String address() {
    return (tls ? "mqtts://" : "mqtt://") + host + ":" + port;
  }

  /** The same settings with MQTT 3.1.1 and no further fallback. */
  ConnectionSettings withMqtt3() {
    return new ConnectionSettings(
        host,
        port,
        3,
        false,
        clientId,
        tls,
        trustManagers,
        username,
        password,
        cleanSession,
        sessionExpiry,
        reconnectMaxDelay,
        retryFirstConnection,
        connectTimeout);
  }

  /** Never the password. */
  @Override
  public String toString() {
    return "ConnectionSettings[" + address() + ", client " + clientId + "]";
  }
}
