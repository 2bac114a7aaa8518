package io.e4j.mqtt;

import io.e4j.core.E4Exception;

/**
 * What happens on the connection besides application messages. Every method has an empty default;
 * they run on the client's network thread, so keep them short.
 */
public interface E4MqttListener {
  /** Connected, or reconnected; subscriptions are in place again. */
  default void connected() {}

  /**
   * A connection was lost or could not be made (broker down, TLS refused, bad credentials); the
   * client keeps trying by itself until {@code disconnect()}.
   */
  default void disconnected(Throwable cause) {}

  /** A C2 command arrived on the control topic and has been applied and saved. */
  default void commandApplied() {}

  /**
   * A message was dropped: a failed check (bad tag, too old, replay, unknown sender, ...) or no key
   * for its topic under {@link MessagePolicy#STRICT}. The connection stays up.
   */
  default void messageRejected(String topic, E4Exception failure) {}

  /** A subscription's handler threw; the message is not redelivered. */
  default void handlerFailed(String topic, RuntimeException failure) {}

  /**
   * A key report could not be made (its sequence number not saved) or published; the next command
   * or connection brings another. Runs on the report thread.
   */
  default void reportFailed(Throwable failure) {}
}
