package io.e4j.mqtt.internal;

/**
 * No connection could be made, for a reason that may pass: nobody listening, no answer in time, the
 * connection closed before the broker answered, or the broker asked to come back later.
 */
public final class UnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
