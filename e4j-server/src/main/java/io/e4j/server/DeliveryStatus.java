package io.e4j.server;

/** Where a command is on its way to a device. */
public enum DeliveryStatus {
  /** Waiting for its first attempt. */
  PENDING,
  /** Attempted, not acknowledged by the transport; retried with backoff until it is. */
  FAILED,
  /** Acknowledged by the transport (MQTT QoS 2 PUBCOMP, Kafka acks=all). */
  DELIVERED,
  /** Not sent because its device was removed. */
  CANCELLED
}
