package io.e4j.server;

import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import io.e4j.mqtt.E4Message;
import io.e4j.mqtt.E4MqttClient;
import io.e4j.mqtt.E4MqttListener;
import io.e4j.mqtt.MessagePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** Real devices ({@link E4MqttClient}) created on a C2 and connected to a broker. */
final class Devices implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final C2Service c2;
  private final int brokerPort;
  private final int mqttVersion;
  private final List<Device> connected = new ArrayList<>();

  Devices(C2Service c2, int brokerPort) {
    this(c2, brokerPort, 5);
  }

  Devices(C2Service c2, int brokerPort, int mqttVersion) {
    this.c2 = c2;
    this.brokerPort = brokerPort;
    this.mqttVersion = mqttVersion;
  }

  /** Creates the device on C2 (the device makes its own key pair in PK mode) and connects it. */
  Device create(String name) {
    return connect(provision(name), true);
  }

  /** Creates the device on C2 without connecting it. */
  E4Client provision(String name) {
    if (c2.mode() == CryptoMode.SYMMETRIC_KEY) {
      byte[] key = Keys.randomKey();
      c2.createDevice(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
      return E4Client.builder().name(name).key(key).build();
    }
    byte[] signing = Keys.newEd25519();
    c2.createDevice(
        NewDevice.of(
            DeviceRef.name(name), new DeviceCredential.PublicKey(Keys.ed25519Public(signing))));
    return E4Client.builder().name(name).signingKey(signing).c2PublicKey(c2.c2PublicKey()).build();
  }

  Device connect(E4Client client, boolean cleanSession) {
    return connect(client, cleanSession, mqttVersion, UnaryOperator.identity());
  }

  /**
   * Creates the device on C2 and connects it (clean session) with {@code mqttVersion}, {@code
   * access} adding TLS or credentials to its MQTT client.
   */
  Device create(String name, int mqttVersion, UnaryOperator<E4MqttClient.Builder> access) {
    return connect(provision(name), true, mqttVersion, access);
  }

  private Device connect(
      E4Client client,
      boolean cleanSession,
      int mqttVersion,
      UnaryOperator<E4MqttClient.Builder> access) {
    Device device = new Device(client);
    device.mqtt =
        access
            .apply(
                E4MqttClient.builder(client)
                    .host("127.0.0.1")
                    .port(brokerPort)
                    .mqttVersion(mqttVersion)
                    .cleanSession(cleanSession)
                    .policy(MessagePolicy.STRICT)
                    .listener(device)
                    .reconnectMaxDelay(Duration.ofSeconds(1)))
            .build();
    device.mqtt.connect().orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
    connected.add(device);
    return device;
  }

  /**
   * A delivery's status with CONFIRMED read as SENT: e4j devices report their keys, so a command
   * the broker took is soon confirmed; tests of the transport ask only that it was taken.
   */
  static DeliveryStatus taken(Delivery delivery) {
    return delivery.status() == DeliveryStatus.CONFIRMED ? DeliveryStatus.SENT : delivery.status();
  }

  List<Device> createAll(String prefix, int count) {
    List<Device> devices = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      devices.add(create(prefix + i));
    }
    return devices;
  }

  @Override
  public void close() {
    CompletableFuture.allOf(
            connected.stream()
                .map(d -> d.mqtt.disconnect().exceptionally(failure -> null))
                .toArray(CompletableFuture[]::new))
        .join();
  }

  /** One device and what it has seen. */
  static final class Device implements E4MqttListener {
    final E4Client client;
    E4MqttClient mqtt;
    final AtomicInteger commands = new AtomicInteger();
    final List<E4Message> messages = new CopyOnWriteArrayList<>();
    final List<E4Exception> rejections = new CopyOnWriteArrayList<>();

    Device(E4Client client) {
      this.client = client;
    }

    DeviceRef ref() {
      return DeviceRef.id(client.id());
    }

    void subscribe(String topic) {
      mqtt.subscribe(topic, 1, messages::add).join();
    }

    void publish(String topic, byte[] payload) {
      mqtt.publish(topic, payload, 1, false).join();
    }

    /** Whether the device applied at least as many commands as expected in {@code mode}. */
    boolean commandsAtLeast(CryptoMode mode, int symmetricKey, int publicKey) {
      return commands.get() >= (mode == CryptoMode.PUBLIC_KEY ? publicKey : symmetricKey);
    }

    @Override
    public void commandApplied() {
      commands.incrementAndGet();
    }

    @Override
    public void messageRejected(String topic, E4Exception failure) {
      rejections.add(failure);
    }
  }
}
