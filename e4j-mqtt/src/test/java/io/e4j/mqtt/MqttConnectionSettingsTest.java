package io.e4j.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MqttConnectionSettingsTest {
  private static final byte[] PASSWORD = "s3cret-Pa55".getBytes(UTF_8);

  @Test
  void toString_namesTheBrokerAndNeverThePassword() {
    MqttConnection.Settings settings =
        MqttConnection.Settings.builder()
            .host("broker.example")
            .port(8883)
            .tls(null)
            .clientId("c2")
            .credentials("operator", PASSWORD)
            .build();

    assertThat(settings)
        .hasToString("mqtts://broker.example:8883 (MQTT 5 or 3.1.1, client c2, clean session)");
    assertThat(settings.toString()).doesNotContain("s3cret", "[B@");
  }

  @Test
  void password_isCopiedInAndOut() {
    byte[] password = PASSWORD.clone();
    MqttConnection.Settings settings =
        MqttConnection.Settings.builder().clientId("c").credentials("u", password).build();
    password[0] = 0;
    settings.password()[1] = 0;

    assertThat(settings.password()).isEqualTo(PASSWORD);
  }

  @Test
  void passwordEachConnection_replacesAFixedOne_andIsNeverCalledToPrint() {
    MqttConnection.Settings settings =
        MqttConnection.Settings.builder()
            .clientId("d")
            .credentials("u", "fixed".getBytes(UTF_8))
            .credentialsEachConnection(
                "u",
                () -> {
                  throw new AssertionError("asked for the password");
                })
            .build();

    assertThat(settings.password()).isNull();
    assertThat(settings.passwordEachConnection()).isNotNull();
    assertThat(settings.toString()).doesNotContain("fixed");
  }

  @Test
  void address_isPlainUnlessTls() {
    MqttConnection.Settings settings =
        MqttConnection.Settings.builder().host("10.0.0.1").mqttVersion(3).clientId("d").build();

    assertThat(settings.address()).isEqualTo("mqtt://10.0.0.1:1883");
    assertThat(settings).hasToString("mqtt://10.0.0.1:1883 (MQTT 3.1.1, client d, clean session)");
  }

  @Test
  void withoutAChosenVersion_mqtt5FallsBackTo311_andAChosenVersionStays() {
    MqttConnection.Settings unchosen = MqttConnection.Settings.builder().clientId("d").build();
    MqttConnection.Settings chosen =
        MqttConnection.Settings.builder().mqttVersion(5).clientId("d").build();

    assertThat(unchosen.mqttVersion()).isEqualTo(5);
    assertThat(unchosen.mqtt3Fallback()).isTrue();
    assertThat(chosen.mqtt3Fallback()).isFalse();
    assertThat(chosen).hasToString("mqtt://localhost:1883 (MQTT 5, client d, clean session)");
  }

  @Test
  void connectFailsByDefault_within10sPerAttempt() {
    MqttConnection.Settings settings = MqttConnection.Settings.builder().clientId("d").build();

    assertThat(settings.retryFirstConnection()).isFalse();
    assertThat(settings.connectTimeout()).hasSeconds(10);
  }

  @Test
  void zeroConnectTimeout_throwsAsItIsSet() {
    assertThatThrownBy(
            () -> MqttConnection.Settings.builder().connectTimeout(java.time.Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout must be positive, got PT0S");
  }

  @Test
  void portOutOfRange_throwsAsItIsSet() {
    assertThatThrownBy(() -> MqttConnection.Settings.builder().port(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a port is 1 to 65535, got 0");
  }

  @Test
  void versionOtherThan3Or5_throwsAsItIsSet() {
    assertThatThrownBy(() -> MqttConnection.Settings.builder().mqttVersion(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MQTT version is 3 (3.1.1) or 5, got 4");
  }
}
