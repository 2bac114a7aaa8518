package io.e4j.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.internal.mqtt.datatypes.MqttUserPropertiesImpl;
import com.hivemq.client.internal.mqtt.datatypes.MqttUtf8StringImpl;
import com.hivemq.client.internal.mqtt.message.connect.connack.MqttConnAck;
import com.hivemq.client.internal.mqtt.message.connect.connack.MqttConnAckRestrictions;
import com.hivemq.client.internal.mqtt.message.connect.connack.mqtt3.Mqtt3ConnAckView;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.exceptions.ConnectionFailedException;
import com.hivemq.client.mqtt.exceptions.MqttDecodeException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.e4j.mqtt.internal.RefusedException.Refusal;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateExpiredException;
import java.util.Arrays;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * What a failed connection attempt means, from the exceptions the HiveMQ client reports, without a
 * network: refusals stop, everything else may be retried.
 */
class ConnectFailureTest {
  private static final String BROKER = "mqtt://127.0.0.1:1883";

  private static Mqtt5ConnAckException connAck5(Mqtt5ConnAckReasonCode code, String reason) {
    return new Mqtt5ConnAckException(
        connAck(code, reason), "CONNECT failed as CONNACK contained an Error Code: " + code);
  }

  private static MqttConnAck connAck(Mqtt5ConnAckReasonCode code, String reason) {
    return new MqttConnAck(
        code,
        false,
        MqttConnAck.SESSION_EXPIRY_INTERVAL_FROM_CONNECT,
        MqttConnAck.KEEP_ALIVE_FROM_CONNECT,
        null,
        null,
        MqttConnAckRestrictions.DEFAULT,
        null,
        null,
        reason == null ? null : MqttUtf8StringImpl.of(reason),
        MqttUserPropertiesImpl.NO_USER_PROPERTIES);
  }

  private static Mqtt3ConnAckException connAck3(Mqtt5ConnAckReasonCode code) {
    return new Mqtt3ConnAckException(
        Mqtt3ConnAckView.of(connAck(code, null)), "CONNACK contained an error", null);
  }

  @Test
  void badPasswordOnMqtt5_isRefusedForCredentials_inWords() {
    ConnectFailure failure =
        ConnectFailure.of(connAck5(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, null), 5);

    assertThat(failure.refusal()).isEqualTo(Refusal.CREDENTIALS);
    assertThat(failure.exception(BROKER))
        .isInstanceOf(RefusedException.class)
        .hasMessage(
            "the broker at mqtt://127.0.0.1:1883 refused the connection: bad user name or password"
                + " (CONNACK 0x86)");
  }

  @Test
  void notAuthorizedOnMqtt5_carriesTheBrokersReasonString() {
    ConnectFailure failure =
        ConnectFailure.of(connAck5(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, "device revoked"), 5);

    assertThat(failure.refusal()).isEqualTo(Refusal.NOT_AUTHORIZED);
    assertThat(failure.reason()).isEqualTo("not authorized (CONNACK 0x87: device revoked)");
  }

  @Test
  void refusalsOnMqtt311_areReadFromTheReturnCode() {
    assertThat(ConnectFailure.of(connAck3(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD), 3))
        .returns(Refusal.CREDENTIALS, ConnectFailure::refusal)
        .returns("bad user name or password (CONNACK return code 4)", ConnectFailure::reason);
    assertThat(ConnectFailure.of(connAck3(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED), 3).refusal())
        .isEqualTo(Refusal.NOT_AUTHORIZED);
    assertThat(
            ConnectFailure.of(connAck3(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID), 3)
                .refusal())
        .isEqualTo(Refusal.CONNECTION);
    assertThat(ConnectFailure.of(connAck3(Mqtt5ConnAckReasonCode.UNSUPPORTED_PROTOCOL_VERSION), 3))
        .returns(Refusal.PROTOCOL_VERSION, ConnectFailure::refusal)
        .returns("it does not speak MQTT 3.1.1 (CONNACK return code 1)", ConnectFailure::reason);
  }

  @Test
  void serverUnavailableOnMqtt311_mayPass() {
    ConnectFailure failure =
        ConnectFailure.of(connAck3(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE), 3);

    assertThat(failure.refused()).isFalse();
    assertThat(failure.exception(BROKER))
        .isInstanceOf(UnreachableException.class)
        .hasMessage(
            "cannot connect to the broker at mqtt://127.0.0.1:1883: server unavailable (CONNACK"
                + " return code 3)");
  }

  @Test
  void everyMqtt5ErrorCode_isNamedAndOnlyTheOnesThatSayLaterMayPass() {
    Mqtt5ConnAckReasonCode[] errors =
        Arrays.stream(Mqtt5ConnAckReasonCode.values())
            .filter(Mqtt5ConnAckReasonCode::isError)
            .toArray(Mqtt5ConnAckReasonCode[]::new);
    for (Mqtt5ConnAckReasonCode code : errors) {
      ConnectFailure failure = ConnectFailure.of(connAck5(code, null), 5);
      assertThat(failure.reason()).as(code.name()).doesNotContain("unknown");
      boolean later =
          code == Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE
              || code == Mqtt5ConnAckReasonCode.SERVER_BUSY
              || code == Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED
              || code == Mqtt5ConnAckReasonCode.CONNECTION_RATE_EXCEEDED;
      assertThat(failure.refused()).as(code.name()).isEqualTo(!later);
    }
    System.out.println("ConnectFailureTest: " + errors.length + " MQTT 5 CONNACK error codes");
  }

  @Test
  void mqtt311BrokersRefusalOfMqtt5_isAProtocolVersionRefusal() {
    // The HiveMQ client reads a 3.1.1 CONNACK "unacceptable protocol version" as 0x84.
    ConnectFailure failure =
        ConnectFailure.of(connAck5(Mqtt5ConnAckReasonCode.UNSUPPORTED_PROTOCOL_VERSION, null), 5);

    assertThat(failure.refusal()).isEqualTo(Refusal.PROTOCOL_VERSION);
    assertThat(failure.reason()).isEqualTo("it does not speak MQTT 5 (CONNACK 0x84)");
  }

  @Test
  void unreadableConnAckToMqtt5_isAProtocolVersionRefusal_butNotToMqtt311() {
    Mqtt5DisconnectException unreadable =
        new Mqtt5DisconnectException(
            Mqtt5Disconnect.builder()
                .reasonCode(Mqtt5DisconnectReasonCode.MALFORMED_PACKET)
                .build(),
            new MqttDecodeException("Exception while decoding CONNACK: wrong reason code"));

    ConnectFailure mqtt5 = ConnectFailure.of(unreadable, 5);
    ConnectFailure mqtt3 = ConnectFailure.of(unreadable, 3);

    assertThat(mqtt5.refusal()).isEqualTo(Refusal.PROTOCOL_VERSION);
    assertThat(mqtt5.reason()).startsWith("it does not speak MQTT 5");
    assertThat(mqtt3.refusal()).isEqualTo(Refusal.CONNECTION);
  }

  @Test
  void untrustedCertificate_isATlsRefusal() {
    SSLHandshakeException handshake =
        new SSLHandshakeException("PKIX path building failed: unable to find valid path");
    handshake.initCause(new CertPathBuilderException("unable to find valid certification path"));

    ConnectFailure failure = ConnectFailure.of(new ConnectionFailedException(handshake), 5);

    assertThat(failure.refusal()).isEqualTo(Refusal.TLS);
    assertThat(failure.exception("mqtts://127.0.0.1:8883"))
        .hasMessage(
            "the TLS handshake with the broker at mqtts://127.0.0.1:8883 failed: the broker's"
                + " certificate is not trusted (unable to find valid certification path)");
  }

  @Test
  void expiredCertificate_andAnAlertFromTheBroker_areTlsRefusals() {
    SSLHandshakeException expired = new SSLHandshakeException("certificate expired");
    expired.initCause(new CertificateExpiredException("NotAfter: yesterday"));
    SSLHandshakeException alert =
        new SSLHandshakeException("Received fatal alert: bad_certificate");

    assertThat(ConnectFailure.of(new ConnectionFailedException(expired), 5).reason())
        .startsWith("the broker's certificate has expired");
    assertThat(ConnectFailure.of(new ConnectionFailedException(alert), 5))
        .returns(Refusal.TLS, ConnectFailure::refusal)
        .returns(
            "the broker refused the handshake (Received fatal alert: bad_certificate)",
            ConnectFailure::reason);
  }

  @Test
  void handshakeCutShort_mayPass() {
    SSLHandshakeException closed =
        new SSLHandshakeException("Connection closed while SSL/TLS handshake was in progress");

    ConnectFailure failure = ConnectFailure.of(new ConnectionFailedException(closed), 5);

    assertThat(failure.refused()).isFalse();
    assertThat(failure.reason()).startsWith("the TLS handshake did not complete");
  }

  @Test
  void nothingListening_mayPass_inWords() {
    ConnectFailure failure =
        ConnectFailure.of(
            new ConnectionFailedException(new ConnectException("Connection refused")), 5);

    assertThat(failure.refused()).isFalse();
    assertThat(failure.exception(BROKER))
        .isInstanceOf(UnreachableException.class)
        .hasMessage(
            "cannot connect to the broker at mqtt://127.0.0.1:1883: connection refused (nothing"
                + " listening there?)");
  }

  @Test
  void unknownHost_noConnAckInTime_andClosedBeforeAnswering_mayPass() {
    ConnectFailure unknown =
        ConnectFailure.of(
            new ConnectionFailedException(new UnknownHostException("broker.invalid")), 5);
    ConnectFailure silent =
        ConnectFailure.of(
            new Mqtt5DisconnectException(
                Mqtt5Disconnect.builder()
                    .reasonCode(Mqtt5DisconnectReasonCode.PROTOCOL_ERROR)
                    .build(),
                "Timeout while waiting for CONNACK"),
            5);
    ConnectFailure closed =
        ConnectFailure.of(
            new ConnectionClosedException("Server closed connection without DISCONNECT."), 3);

    assertThat(unknown.refused()).isFalse();
    assertThat(unknown.reason()).isEqualTo("unknown host broker.invalid");
    assertThat(silent.refused()).isFalse();
    assertThat(silent.reason()).isEqualTo("no answer to CONNECT in time");
    assertThat(closed.refused()).isFalse();
    assertThat(closed.reason()).startsWith("the connection closed before the broker answered");
  }
}
