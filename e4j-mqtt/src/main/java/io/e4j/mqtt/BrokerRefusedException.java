package io.e4j.mqtt;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The broker said no, and the same request would get the same answer: to a connection (a CONNACK
 * error code, a failed TLS handshake, an MQTT version it does not speak), to a subscription (MQTT
 * 3.1.1 and 5) or to a message (MQTT 5: not authorized, quota exceeded, ...). A refused connection
 * is not retried; after a refused subscription or message the connection stays up.
 *
 * <p>Its message says it in words, with the broker's code, e.g. {@code the broker at
 * mqtt://127.0.0.1:1883 refused the connection: bad user name or password (CONNACK 0x86)}, or
 * {@code the broker at mqtt://127.0.0.1:1883 refused the message on plant/heat: not authorized
 * (PUBACK 0x87)}; a refused message also gives the code and the broker's words in {@link
 * #reasonCode()} and {@link #reasonString()}.
 */
public final class BrokerRefusedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** What was refused, and why, as far as the broker's answer tells. */
  public enum Reason {
    /** The user name or password (or MQTT 5 authentication method) was refused. */
    CREDENTIALS,
    /** The client may not connect: not authorized, or banned. */
    NOT_AUTHORIZED,
    /**
     * The TLS handshake failed: the broker's certificate is not trusted, has expired or does not
     * name the host, or the broker refused the handshake.
     */
    TLS,
    /** The broker does not speak the MQTT version asked for. */
    PROTOCOL_VERSION,
    /** Any other refused connection: client identifier, a rule of the broker, redirection, ... */
    CONNECTION,
    /** A subscription was refused. */
    SUBSCRIPTION,
    /** A message was refused (MQTT 5). */
    MESSAGE
  }

  private final Reason reason;
  private final Integer reasonCode;
  private final String reasonString;

  /**
   * @param cause what the MQTT client reported: for a message, the broker's answer (MQTT 5)
   */
  public BrokerRefusedException(Reason reason, String message, Throwable cause) {
    this(reason, message, cause, OptionalInt.empty(), Optional.empty());
  }

  /**
   * @param reasonCode the broker's reason code (MQTT 5: PUBACK or PUBREC for a message), if any
   * @param reasonString the broker's own words (MQTT 5), if any
   */
  public BrokerRefusedException(
      Reason reason,
      String message,
      Throwable cause,
      OptionalInt reasonCode,
      Optional<String> reasonString) {
    super(message, cause);
    if (reason == null) {
      throw new IllegalArgumentException("a refusal needs a reason");
    }
    this.reason = reason;
    this.reasonCode = reasonCode.isPresent() ? reasonCode.getAsInt() : null;
    this.reasonString = reasonString.orElse(null);
  }

  /**
   * The broker's reason code, e.g. {@code 0x87} (not authorized) for a message refused by an MQTT 5
   * broker; empty when the broker gave none (MQTT 3.1.1) or for a refused connection.
   */
  public OptionalInt reasonCode() {
    return reasonCode == null ? OptionalInt.empty() : OptionalInt.of(reasonCode);
  }

  /** The broker's own words about a refused message (MQTT 5), if it gave any. */
  public Optional<String> reasonString() {
    return Optional.ofNullable(reasonString);
  }

  public Reason reason() {
    return reason;
  }

  /** Whether a connection was refused (rather than a subscription or a message). */
  public boolean connectionRefused() {
    return reason != Reason.SUBSCRIPTION && reason != Reason.MESSAGE;
  }
}
