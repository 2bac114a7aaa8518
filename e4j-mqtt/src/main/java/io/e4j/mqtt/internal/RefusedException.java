package io.e4j.mqtt.internal;

/** The broker answered a subscription or a message with an error code. */
public final class RefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
