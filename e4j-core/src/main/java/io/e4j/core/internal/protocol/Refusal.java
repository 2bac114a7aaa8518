package io.e4j.core.internal.protocol;

/**
 * Why the internals refused an operation. The twin of the public {@code E4Exception.Reason},
 * constant for constant and in the same order (a test holds them together), so that the internals
 * do not depend on the public API; the public API turns one into the other by name. The meaning of
 * each constant is documented there.
 */
public enum Refusal {
  TOPIC_KEY_MISSING,
  MESSAGE_TOO_SHORT,
  TIMESTAMP_IN_FUTURE,
  TIMESTAMP_TOO_OLD,
  NOT_AUTHENTIC,
  INVALID_SIGNATURE,
  SENDER_UNKNOWN,
  INVALID_COMMAND,
  UNSUPPORTED_COMMAND,
  STALE_COMMAND,
  INVALID_KEY,
  INVALID_TOPIC,
  REPLAYED,
  STORAGE,
  INVALID_ARGUMENT,
  WRONG_MODE
}
