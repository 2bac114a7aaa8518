package io.e4j.mqtt.internal;

import java.time.Duration;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where and how to connect: the public {@code MqttConnection.Settings} as the internals read them.
 *
 * @param trustManagers what to trust over TLS; null for the JDK's default trusted certificates
 * @param username null for none
 * @param password null for none; never printed
 * @param sessionExpiry how long the broker keeps a persistent session (MQTT 5)
 */
public record ConnectionSettings(
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
  /** Never the password. */
  @Override
  public String toString() {
    return "ConnectionSettings[" + host + ":" + port + ", client " + clientId + "]";
  }
}
