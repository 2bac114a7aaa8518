package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3PubAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import io.e4j.mqtt.internal.RefusedException.Refusal;
import java.util.Locale;
import java.util.concurrent.CompletionException;

/**
 * Why a QoS 1 or 2 message failed, read from what the HiveMQ client reports: a broker that answered
 * PUBACK or PUBREC with an error code refused it (MQTT 5 §3.4.2.1, §3.5.2.1); MQTT 3.1.1 has no
 * such codes, but the client reports the same way should a broker's answer fail it. Any other
 * failure (connection lost, not connected) is left as it is.
 */
final class MessageFailure {
  private MessageFailure() {}

  /** The failure of publishing on {@code topic} to the broker at {@code address}, read. */
  static Throwable of(Throwable failure, String topic, String address) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    String refused = "the broker at " + address + " refused the message on " + topic + ": ";
    if (cause instanceof Mqtt5PubAckException pubAck) {
      var answer = pubAck.getMqttMessage();
      return refusal(
          refused,
          "PUBACK",
          answer.getReasonCode().getCode(),
          answer.getReasonString().map(Object::toString).orElse(null),
          cause);
    }
    if (cause instanceof Mqtt5PubRecException pubRec) {
      var answer = pubRec.getMqttMessage();
      return refusal(
          refused,
          "PUBREC",
          answer.getReasonCode().getCode(),
          answer.getReasonString().map(Object::toString).orElse(null),
          cause);
    }
    if (cause instanceof Mqtt3PubAckException || cause instanceof Mqtt3PubRecException) {
      return new RefusedException(Refusal.MESSAGE, refused + cause.getMessage(), cause, null, null);
    }
    return failure;
  }

  private static RefusedException refusal(
      String refused, String packet, int code, String reasonString, Throwable cause) {
    String detail = String.format(Locale.ROOT, "%s 0x%02X", packet, code);
    if (reasonString != null && !reasonString.isBlank()) {
      detail += ": " + reasonString;
    }
    return new RefusedException(
        Refusal.MESSAGE, refused + words(code) + " (" + detail + ")", cause, code, reasonString);
  }

  /** MQTT 5.0 §3.4.2.1: the error codes of PUBACK, which PUBREC shares. */
  static String words(int code) {
    return switch (code) {
      case 0x80 -> "unspecified error";
      case 0x83 -> "a rule of its own (implementation-specific)";
      case 0x87 -> "not authorized";
      case 0x90 -> "topic name invalid";
      case 0x91 -> "packet identifier in use";
      case 0x97 -> "quota exceeded";
      case 0x99 -> "payload format invalid";
      default -> "an unknown reason code";
    };
  }
}
