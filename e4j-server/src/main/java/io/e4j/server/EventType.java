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
  /**
   * The transport took a command (the broker has it; the device may not); for a rotation, once it
   * took its last device's copy.
   */
  COMMAND_SENT,
  /** A command was not acknowledged and will be retried (recorded at its first failure). */
  COMMAND_FAILED,
  /** A device reported holding the current key of every topic it is linked to. */
  DEVICE_CONFIRMED,
  /** A device has not confirmed a linked topic's current key for longer than the stale period. */
  DEVICE_STALE,
  /**
   * C2 issued a device a broker credential (for the embedded broker in {@code devices} access
   * mode), replacing any it had: its clients logged in with the old one are disconnected.
   */
  BROKER_CREDENTIAL_ISSUED,
  /** A device's broker credential was revoked: its clients logged in with it are disconnected. */
  BROKER_CREDENTIAL_REVOKED
}
