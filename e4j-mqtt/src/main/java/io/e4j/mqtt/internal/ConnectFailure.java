package io.e4j.mqtt.internal;

import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.exceptions.MqttDecodeException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import io.e4j.mqtt.internal.RefusedException.Refusal;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Why one connection attempt failed, read from what the HiveMQ client reports, and whether trying
 * again can help: the one place that knows the client's exceptions and MQTT's CONNACK codes.
 *
 * <p>A refusal is an answer that will be the same next time: a CONNACK error code other than the
 * few that say "later" (server unavailable or busy, quota or connection rate exceeded), a TLS
 * handshake that failed on the certificate or on an alert from the broker, a broker that does not
 * speak the MQTT version asked for. Anything else (nobody listening, no answer in time, the
 * connection closed before an answer) may pass.
 *
 * @param refusal what was refused; null when the failure may pass
 * @param reason the reason in words, without the broker's address, e.g. {@code bad user name or
 *     password (CONNACK 0x86)}
 * @param cause what the HiveMQ client reported
 */
public record ConnectFailure(Refusal refusal, String reason, Throwable cause) {

  /** Whether trying again the same way cannot help. */
  public boolean refused() {
    return refusal != null;
  }

  /** The exception that tells it, naming the broker at {@code address}. */
  public RuntimeException exception(String address) {
    if (refusal == null) {
      return new UnreachableException(
          "cannot connect to the broker at " + address + ": " + reason, cause);
    }
    if (refusal == Refusal.TLS) {
      return new RefusedException(
          refusal, "the TLS handshake with the broker at " + address + " failed: " + reason, cause);
    }
    return new RefusedException(
        refusal, "the broker at " + address + " refused the connection: " + reason, cause);
  }

  /** Reads the cause of a failed attempt to connect with MQTT {@code mqttVersion} (3 or 5). */
  public static ConnectFailure of(Throwable failure, int mqttVersion) {
    Mqtt5ConnAckException connAck5 = find(failure, Mqtt5ConnAckException.class);
    if (connAck5 != null) {
      var connAck = connAck5.getMqttMessage();
      return ofConnAck(
          5,
          connAck.getReasonCode().getCode(),
          connAck.getReasonString().map(Object::toString).orElse(null),
          failure);
    }
    Mqtt3ConnAckException connAck3 = find(failure, Mqtt3ConnAckException.class);
    if (connAck3 != null) {
      return ofConnAck(3, connAck3.getMqttMessage().getReturnCode().getCode(), null, failure);
    }
    SSLException tls = find(failure, SSLException.class);
    if (tls != null) {
      return ofTls(tls, failure);
    }
    MqttDecodeException decoding = find(failure, MqttDecodeException.class);
    if (decoding != null && String.valueOf(decoding.getMessage()).contains("CONNACK")) {
      // A broker that speaks only MQTT 3.1.1 may answer an MQTT 5 CONNECT with a CONNACK the
      // MQTT 5 decoder cannot read (Moquette 0.17 does): that is its "unsupported version".
      return mqttVersion == 5
          ? new ConnectFailure(
              Refusal.PROTOCOL_VERSION,
              "it does not speak MQTT 5: its answer to CONNECT is not MQTT 5 ("
                  + decoding.getMessage()
                  + ")",
              failure)
          : new ConnectFailure(
              Refusal.CONNECTION,
              "its answer to CONNECT cannot be read (" + decoding.getMessage() + ")",
              failure);
    }
    return new ConnectFailure(null, transportReason(failure), failure);
  }

  /**
   * A CONNACK error code: MQTT 5's reason code, or MQTT 3.1.1's return code.
   *
   * @param reasonString the broker's own words (MQTT 5), or null
   */
  static ConnectFailure ofConnAck(int mqttVersion, int code, String reasonString, Throwable cause) {
    String detail =
        mqttVersion == 5
            ? String.format(Locale.ROOT, "CONNACK 0x%02X", code)
            : "CONNACK return code " + code;
    if (reasonString != null && !reasonString.isBlank()) {
      detail += ": " + reasonString;
    }
    Answer answer = mqttVersion == 5 ? mqtt5(code) : mqtt3(code);
    return new ConnectFailure(answer.refusal(), answer.words() + " (" + detail + ")", cause);
  }

  private record Answer(Refusal refusal, String words) {}

  /** MQTT 5.0 §3.2.2.2; the codes with a null refusal say "later". */
  private static Answer mqtt5(int code) {
    return switch (code) {
      case 0x80 -> new Answer(Refusal.CONNECTION, "unspecified error");
      case 0x81 -> new Answer(Refusal.CONNECTION, "it could not read the CONNECT packet");
      case 0x82 -> new Answer(Refusal.CONNECTION, "protocol error");
      case 0x83 -> new Answer(Refusal.CONNECTION, "a rule of its own (implementation-specific)");
      case 0x84 -> new Answer(Refusal.PROTOCOL_VERSION, "it does not speak MQTT 5");
      case 0x85 -> new Answer(Refusal.CONNECTION, "client identifier not valid");
      case 0x86 -> new Answer(Refusal.CREDENTIALS, "bad user name or password");
      case 0x87 -> new Answer(Refusal.NOT_AUTHORIZED, "not authorized");
      case 0x88 -> new Answer(null, "server unavailable");
      case 0x89 -> new Answer(null, "server busy");
      case 0x8A -> new Answer(Refusal.NOT_AUTHORIZED, "this client is banned");
      case 0x8C -> new Answer(Refusal.CREDENTIALS, "bad authentication method");
      case 0x90 -> new Answer(Refusal.CONNECTION, "invalid will topic");
      case 0x95 -> new Answer(Refusal.CONNECTION, "CONNECT packet too large");
      case 0x97 -> new Answer(null, "quota exceeded");
      case 0x99 -> new Answer(Refusal.CONNECTION, "invalid will payload");
      case 0x9A -> new Answer(Refusal.CONNECTION, "retained will not supported");
      case 0x9B -> new Answer(Refusal.CONNECTION, "will QoS not supported");
      case 0x9C -> new Answer(Refusal.CONNECTION, "use another server");
      case 0x9D -> new Answer(Refusal.CONNECTION, "server moved");
      case 0x9F -> new Answer(null, "connection rate exceeded");
      default -> new Answer(Refusal.CONNECTION, "an unknown reason code");
    };
  }

  /** MQTT 3.1.1 §3.2.2.3. */
  private static Answer mqtt3(int code) {
    return switch (code) {
      case 1 -> new Answer(Refusal.PROTOCOL_VERSION, "it does not speak MQTT 3.1.1");
      case 2 -> new Answer(Refusal.CONNECTION, "client identifier rejected");
      case 3 -> new Answer(null, "server unavailable");
      case 4 -> new Answer(Refusal.CREDENTIALS, "bad user name or password");
      case 5 -> new Answer(Refusal.NOT_AUTHORIZED, "not authorized");
      default -> new Answer(Refusal.CONNECTION, "an unknown return code");
    };
  }

  /**
   * A failed TLS handshake is a refusal when it failed on the certificate or on an alert from the
   * broker; a handshake cut short (connection closed, timeout) may pass.
   */
  private static ConnectFailure ofTls(SSLException tls, Throwable failure) {
    String detail = " (" + innermostMessage(tls) + ")";
    String message = String.valueOf(tls.getMessage());
    if (find(tls, CertificateExpiredException.class) != null) {
      return new ConnectFailure(
          Refusal.TLS, "the broker's certificate has expired" + detail, failure);
    }
    if (message.contains("Hostname verification failed")
        || innermostMessage(tls).contains("subject alternative")
        || innermostMessage(tls).contains("No name matching")) {
      return new ConnectFailure(
          Refusal.TLS,
          "the broker's certificate does not name the host connected to" + detail,
          failure);
    }
    if (find(tls, CertPathBuilderException.class) != null
        || find(tls, CertPathValidatorException.class) != null
        || find(tls, CertificateException.class) != null
        || find(tls, SSLPeerUnverifiedException.class) != null) {
      return new ConnectFailure(
          Refusal.TLS, "the broker's certificate is not trusted" + detail, failure);
    }
    if (message.startsWith("Received fatal alert")) {
      return new ConnectFailure(Refusal.TLS, "the broker refused the handshake" + detail, failure);
    }
    return new ConnectFailure(null, "the TLS handshake did not complete" + detail, failure);
  }

  private static String transportReason(Throwable failure) {
    if (find(failure, UnknownHostException.class) != null) {
      return "unknown host " + find(failure, UnknownHostException.class).getMessage();
    }
    if (named(failure, "io.netty.channel.ConnectTimeoutException")
        || find(failure, SocketTimeoutException.class) != null) {
      return "no answer in time (" + innermostMessage(failure) + ")";
    }
    if (find(failure, NoRouteToHostException.class) != null) {
      return "no route to the host";
    }
    if (find(failure, ConnectException.class) != null) {
      return "connection refused (nothing listening there?)";
    }
    String message = innermostMessage(failure);
    if (message.contains("Timeout while waiting for CONNACK")) {
      return "no answer to CONNECT in time";
    }
    if (find(failure, ConnectionClosedException.class) != null) {
      return "the connection closed before the broker answered (" + message + ")";
    }
    return message;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable cause = failure; cause != null; cause = next(cause)) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  /** Netty's exceptions, which this module does not compile against, by their class names. */
  private static boolean named(Throwable failure, String className) {
    for (Throwable cause = failure; cause != null; cause = next(cause)) {
      for (Class<?> type = cause.getClass(); type != null; type = type.getSuperclass()) {
        if (type.getName().equals(className)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String innermostMessage(Throwable failure) {
    Throwable innermost = failure;
    while (next(innermost) != null) {
      innermost = next(innermost);
    }
    return innermost.getMessage() != null
        ? innermost.getMessage()
        : innermost.getClass().getSimpleName();
  }

  private static Throwable next(Throwable cause) {
    return cause.getCause() == cause ? null : cause.getCause();
  }
}
