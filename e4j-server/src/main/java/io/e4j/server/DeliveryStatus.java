package io.e4j.server;

/**
 * Where a command is on its way to a device: queued ({@link #PENDING}), {@link #SENT} (the broker
 * took it), {@link #CONFIRMED} (the device reported having applied it), or {@link #FAILED} (not
 * taken yet; retried). Nothing is confirmed on the broker's word alone: a broker takes a message
 * for a device that is not subscribed and drops it.
 */
public enum DeliveryStatus {
  /** Waiting for its first attempt. */
  PENDING,
  /** Attempted, not acknowledged by the transport; retried with backoff until it is. */
  FAILED,
  /**
   * Acknowledged by the transport (MQTT QoS 2 PUBCOMP, Kafka acks=all): the broker has it, the
   * device may not.
   */
  SENT,
  /**
   * The device reported (an e4j key report) having applied commands up to this one's timestamp.
   * Devices that do not report (Teserakt's clients) never get here.
   */
  CONFIRMED,
  /** Not sent because its device was removed. */
  CANCELLED
}
