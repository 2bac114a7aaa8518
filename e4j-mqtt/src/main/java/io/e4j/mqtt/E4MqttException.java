package io.e4j.mqtt;

/**
 * An MQTT operation that failed, timed out or was interrupted (not an E4 check: see E4Exception).
 */
public final class E4MqttException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public E4MqttException(String message, Throwable cause) {
    super(message, cause);
  }
}
