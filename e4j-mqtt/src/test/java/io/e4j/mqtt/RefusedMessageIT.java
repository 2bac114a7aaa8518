package io.e4j.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A broker that refuses a QoS 1 or 2 message (Mosquitto with an ACL): the publish fails with {@link
 * BrokerRefusedException}, reason {@code MESSAGE}, the broker's reason code and its words, and the
 * connection stays up.
 */
class RefusedMessageIT {
  private static final Map<String, String> USERS = Map.of("device", "s3cret");
  private static final List<String> ACL = List.of("user device", "topic readwrite plant/#");

  @TempDir Path directory;

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void mqtt5_aMessageTheAclForbids_failsWithTheBrokersReasonCode(int qos) throws Exception {
    try (Mosquitto broker = Mosquitto.startWithAcl(directory, USERS, ACL)) {
      MqttConnection device = connection(broker, 5);
      device.connect().get(10, TimeUnit.SECONDS);

      Throwable failure =
          catchFailure(() -> device.publish("forbidden/x", bytes("no"), qos, false));

      String packet = qos == 1 ? "PUBACK" : "PUBREC";
      System.out.println("QoS " + qos + " refused: " + failure.getMessage());
      assertThat(failure)
          .isInstanceOfSatisfying(
              BrokerRefusedException.class,
              refused -> {
                assertThat(refused.reason()).isEqualTo(BrokerRefusedException.Reason.MESSAGE);
                assertThat(refused.reasonCode()).isEqualTo(OptionalInt.of(0x87));
                assertThat(refused.connectionRefused()).isFalse();
              })
          .hasMessage(
              "the broker at "
                  + device.settings().address()
                  + " refused the message on forbidden/x: not authorized ("
                  + packet
                  + " 0x87)");
      assertThat(device.isConnected()).isTrue();
      device.publish("plant/heat", bytes("yes"), qos, false).get(10, TimeUnit.SECONDS);
      device.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  /** MQTT 3.1.1 has no way to refuse a message: the broker acknowledges it and drops it. */
  @Test
  void mqtt311_aMessageTheAclForbids_isAcknowledged() throws Exception {
    try (Mosquitto broker = Mosquitto.startWithAcl(directory, USERS, ACL)) {
      MqttConnection device = connection(broker, 3);
      device.connect().get(10, TimeUnit.SECONDS);

      device.publish("forbidden/x", bytes("no"), 1, false).get(10, TimeUnit.SECONDS);

      device.disconnect().get(10, TimeUnit.SECONDS);
    }
  }

  private static MqttConnection connection(Mosquitto broker, int mqttVersion) {
    return MqttConnection.create(
        MqttConnection.Settings.builder()
            .host("127.0.0.1")
            .port(broker.port())
            .mqttVersion(mqttVersion)
            .clientId("device")
            .credentials("device", bytes("s3cret"))
            .reconnectMaxDelay(Duration.ofSeconds(1))
            .build(),
        new MqttConnection.Events() {});
  }

  private interface Operation {
    java.util.concurrent.CompletableFuture<Void> start();
  }

  private static Throwable catchFailure(Operation operation) throws Exception {
    try {
      operation.start().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the broker accepted the message");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }
}
