package io.e4j.mqtt.internal;

/**
 * The broker said no: to a connection (CONNACK error code, or the TLS handshake), a subscription or
 * a message. Trying again the same way will not help.
 */
public final class RefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What was refused, and why, as far as the answer tells. */
  public enum Refusal {
    /** The user name or password (or authentication method) was refused. */
    CREDENTIALS,
    /** The client may not connect: not authorized, or banned. */
    NOT_AUTHORIZED,
    /**
     * The TLS handshake failed: certificate not trusted, wrong host name, an alert from the peer.
     */
    TLS,
    /** The broker does not speak the MQTT version the client asked for. */
    PROTOCOL_VERSION,
    /** Any other refusal of a connection (client identifier, broker rules, redirection, ...). */
    CONNECTION,
    /** A subscription was refused; the connection stays up. */
    SUBSCRIPTION,
    /** A message was refused (MQTT 5); the connection stays up. */
    MESSAGE
  }

  private final Refusal refusal;
  private final Integer reasonCode;
  private final String reasonString;

  RefusedException(Refusal refusal, String message, Throwable cause) {
    this(refusal, message, cause, null, null);
  }

  /**
   * @param reasonCode the broker's reason code (MQTT 5), or null
   * @param reasonString the broker's own words (MQTT 5), or null
   */
  RefusedException(
      Refusal refusal, String message, Throwable cause, Integer reasonCode, String reasonString) {
    super(message, cause);
    this.refusal = refusal;
    this.reasonCode = reasonCode;
    this.reasonString = reasonString;
  }

  public Refusal refusal() {
    return refusal;
  }

  /** The broker's reason code (MQTT 5), or null. */
  public Integer reasonCode() {
    return reasonCode;
  }

  /** The broker's reason string (MQTT 5), or null. */
  public String reasonString() {
    return reasonString;
  }
}
