package io.e4j.server;

/** What an {@link C2Event} records. */
public enum EventType {
  DEVICE_CREATED,
  DEVICE_REMOVED,
  /** A device's key changed: replaced at creation, a new key, or C2's new key (PK mode). */
  DEVICE_KEY_CHANGED,
  TOPIC_CREATED,
  TOPIC_REMOVED,
  TOPIC_ROTATED,
  LINKED,
  UNLINKED,
  DEVICE_RESET,
  DEVICE_RESYNCED,
  PUBLIC_KEY_SENT,
  PUBLIC_KEY_REMOVED,
  PUBLIC_KEYS_RESET,
  C2_KEY_CHANGED,
  /** The transport acknowledged a command; for a rotation, once its last device has. */
  COMMAND_DELIVERED,
  /** A command was not acknowledged and will be retried (recorded at its first failure). */
  COMMAND_FAILED
}
