package io.e4j.mqtt.internal;

import java.time.Duration;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where and how to connect.
 *
 * @param trustManagers null for a plain TCP connection
 * @param username null for none
 * @param password null for none; never printed
 * @param sessionExpiry how long the broker keeps a persistent session (MQTT 5); zero for a clean
 *     one
 */
public record ConnectionSettings(
    String host,
    int port,
    int mqttVersion,
    String clientId,
    TrustManagerFactory trustManagers,
    String username,
    byte[] password,
    boolean cleanSession,
    Duration sessionExpiry,
    Duration reconnectMaxDelay) {
  @Override
  public String toString() {
    return "mqtt"
        + (trustManagers == null ? "" : "s")
        + "://"
        + host
        + ":"
        + port
        + " (MQTT "
        + (mqttVersion == 5 ? "5" : "3.1.1")
        + ", client "
        + clientId
        + (cleanSession ? ", clean session" : ", persistent session")
        + ")";
  }
}
