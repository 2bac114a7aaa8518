package io.e4j.server;

import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import io.e4j.mqtt.E4MqttClient;
import io.e4j.mqtt.MessagePolicy;
import io.e4j.server.Devices.Device;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Real devices for a broker that asks for TLS or credentials: created on C2 with a symmetric key,
 * connected through an {@link E4MqttClient} that the test configures.
 */
final class SecuredDevices implements AutoCloseable {
  private final C2Service c2;
  private final int brokerPort;
  private final List<Device> connected = new ArrayList<>();

  SecuredDevices(C2Service c2, int brokerPort) {
    this.c2 = c2;
    this.brokerPort = brokerPort;
  }

  /**
   * Creates {@code name} on C2 and connects it (clean session), with {@code access} adding TLS or
   * credentials to its MQTT client.
   */
  Device create(String name, int mqttVersion, UnaryOperator<E4MqttClient.Builder> access) {
    byte[] key = Keys.randomKey();
    c2.createDevice(NewDevice.of(DeviceRef.name(name), new DeviceCredential.SymmetricKey(key)));
    Device device = new Device(E4Client.builder().name(name).key(key).build());
    device.mqtt =
        access
            .apply(
                E4MqttClient.builder(device.client)
                    .host("127.0.0.1")
                    .port(brokerPort)
                    .mqttVersion(mqttVersion)
                    .cleanSession(true)
                    .policy(MessagePolicy.STRICT)
                    .listener(device)
                    .reconnectMaxDelay(Duration.ofSeconds(1)))
            .build();
    device.mqtt.connect().orTimeout(Devices.WAIT.toSeconds(), TimeUnit.SECONDS).join();
    connected.add(device);
    return device;
  }

  /**
   * Writes the certificates of {@code trusted} to a password-protected trust store file, PKCS#12
   * or, for a {@code .jks} name, JKS: what an operator points {@code broker.trustStore} at.
   */
  static Path writeTrustStore(KeyStore trusted, Path file, String password)
      throws IOException, GeneralSecurityException {
    KeyStore store =
        KeyStore.getInstance(file.getFileName().toString().endsWith(".jks") ? "JKS" : "PKCS12");
    store.load(null, null);
    for (String alias : Collections.list(trusted.aliases())) {
      Certificate certificate = trusted.getCertificate(alias);
      store.setCertificateEntry(alias, certificate);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
    return file;
  }

  @Override
  public void close() {
    CompletableFuture.allOf(
            connected.stream()
                .map(d -> d.mqtt.disconnect().exceptionally(failure -> null))
                .toArray(CompletableFuture[]::new))
        .join();
  }
}
