package io.e4j.mqtt;

/**
 * No connection could be made, for a reason that may pass: nothing listening at the address, no
 * answer within the connect timeout, the connection closed before the broker answered, or the
 * broker asked to come back later (server unavailable or busy). Its message says which, naming the
 * broker, e.g. {@code cannot connect to the broker at mqtt://127.0.0.1:1883: connection refused
 * (nothing listening there?)}.
 */
public final class BrokerUnreachableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public BrokerUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
