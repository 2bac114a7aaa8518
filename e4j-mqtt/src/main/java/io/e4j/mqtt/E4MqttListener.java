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
   * The connection was lost, or an attempt to reconnect failed for a reason that may pass (broker
   * down, network gone); the client keeps trying by itself until {@code disconnect()}.
   */
  default void disconnected(Throwable cause) {}

  /**
   * The broker refused a reconnection (credentials revoked, certificate replaced, client banned):
   * the client stops trying until {@code connect()} is called again. A refused {@code connect()}
   * fails its future instead.
   */
  default void refused(BrokerRefusedException refusal) {}

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
