package io.e4j.server;

import io.e4j.core.ClientStore;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import io.e4j.mqtt.MqttConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A device as Teserakt's clients are, played by a plain MQTT client that never reports its keys: it
 * subscribes to its control topic on a clean session and opens what arrives with its own key (an
 * {@link E4Client} in memory stands in for the reference client's command handling). Played by the
 * HiveMQ client in MQTT 3.1.1 or 5, or by Debian's {@code mosquitto_sub}, which sends SUBSCRIBE
 * right after CONNECT, before CONNACK.
 */
final class ReferenceDevice implements AutoCloseable {
  enum Client {
    MQTT_3,
    MQTT_5,
    MOSQUITTO_SUB
  }

  private final String name;
  private final E4Client keys;
  private final Client client;
  private final int brokerPort;
  private final List<String> refused = new CopyOnWriteArrayList<>();
  private MqttConnection connection;
  private Process process;
  private Thread reader;

  private ReferenceDevice(String name, byte[] key, Client client, int brokerPort) {
    this.name = name;
    this.keys = E4Client.builder().name(name).key(key).store(ClientStore.memory()).build();
    this.client = client;
    this.brokerPort = brokerPort;
  }

  /** Creates the device on C2 (SK mode) without connecting it. */
  static ReferenceDevice create(C2Service c2, String name, Client client, int brokerPort) {
    byte[] key = Keys.randomKey();
    c2.createDevice(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
    return new ReferenceDevice(name, key, client, brokerPort);
  }

  DeviceRef ref() {
    return DeviceRef.name(name);
  }

  /** Connects on a clean session and subscribes to its control topic. */
  void connect() throws Exception {
    String topic = keys.controlTopic();
    String clientId = name + "-" + client.name().toLowerCase();
    if (client == Client.MOSQUITTO_SUB) {
      process =
          new ProcessBuilder(
                  "mosquitto_sub",
                  "-h",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(brokerPort),
                  "-i",
                  clientId,
                  "-q",
                  "2",
                  "-t",
                  topic,
                  "-F",
                  "%x")
              .redirectErrorStream(true)
              .start();
      reader = new Thread(this::readLines, "mosquitto_sub " + name);
      reader.setDaemon(true);
      reader.start();
      return;
    }
    connection =
        MqttConnection.create(
            MqttConnection.Settings.builder()
                .host("127.0.0.1")
                .port(brokerPort)
                .mqttVersion(client == Client.MQTT_3 ? 3 : 5)
                .clientId(clientId)
                .cleanSession(true)
                .build(),
            new MqttConnection.Events() {
              @Override
              public void received(String topic, byte[] payload, int qos, boolean retained) {
                command(payload);
              }
            });
    connection.connect().get(10, TimeUnit.SECONDS);
    connection.subscribe(topic, 2).get(10, TimeUnit.SECONDS);
  }

  void disconnect() throws Exception {
    if (connection != null) {
      connection.disconnect().get(10, TimeUnit.SECONDS);
      connection = null;
    }
    if (process != null) {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
      reader.join(5_000);
      process = null;
    }
  }

  private void readLines() {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = lines.readLine()) != null) {
        try {
          command(HexFormat.of().parseHex(line.strip()));
        } catch (IllegalArgumentException notHex) {
          refused.add("mosquitto_sub: " + line);
        }
      }
    } catch (IOException closed) {
      // The process ended.
    }
  }

  private void command(byte[] message) {
    try {
      keys.unprotect(keys.controlTopic(), message);
    } catch (E4Exception e) {
      refused.add(e.getMessage());
    }
  }

  boolean holds(String topic) {
    return keys.hasTopicKey(topic);
  }

  /** Whether it opens what C2 protects under the topic's current key now. */
  boolean holdsCurrentKey(C2Service c2, String topic) {
    // Unique, or the device's replay cache refuses a second look within the same second.
    byte[] payload =
        ("current key of " + topic + " at " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
    try {
      return keys.unprotect(topic, c2.protectMessage(topic, payload))
          .map(opened -> java.util.Arrays.equals(opened, payload))
          .orElse(false);
    } catch (E4Exception e) {
      return false;
    }
  }

  /** Commands it could not apply, for failure messages. */
  List<String> refused() {
    return refused;
  }

  @Override
  public void close() throws Exception {
    disconnect();
    keys.close();
  }
}
