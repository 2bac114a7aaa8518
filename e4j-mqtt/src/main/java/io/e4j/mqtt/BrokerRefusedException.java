package io.e4j.mqtt;

/**
 * The broker answered with an error code: it refused a subscription (MQTT 3.1.1 and 5) or a message
 * (MQTT 5: not authorized, quota exceeded, ...). The connection stays up.
 */
public final class BrokerRefusedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * @param cause the broker's answer for a message (MQTT 5); null for a subscription, whose reason
   *     codes are in the message
   */
  public BrokerRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
