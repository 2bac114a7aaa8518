package io.e4j.core;

import io.e4j.core.internal.protocol.ProtocolException;

/**
 * Everything that goes wrong in e4j: a machine-readable {@link Reason} and a sentence for people.
 * Messages name topics, files and sizes, never key material.
 */
public final class E4Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why an operation failed. */
  public enum Reason {
    /** No key is held for the message's topic. */
    TOPIC_KEY_MISSING,
    /** Shorter than the fixed overhead of the mode (24 bytes SK, 104 PK). */
    MESSAGE_TOO_SHORT,
    /** The timestamp is further ahead than the allowed clock skew. */
    TIMESTAMP_IN_FUTURE,
    /** The timestamp is older than the allowed message age. */
    TIMESTAMP_TOO_OLD,
    /** AES-SIV authentication failed: wrong key, or the message was altered. */
    NOT_AUTHENTIC,
    /** The Ed25519 signature does not verify (public-key mode). */
    INVALID_SIGNATURE,
    /** No public key is held for the message's sender (public-key mode). */
    SENDER_UNKNOWN,
    /** A command that is malformed: unknown code or wrong length. */
    INVALID_COMMAND,
    /** A well-formed command this client's mode does not support. */
    UNSUPPORTED_COMMAND,
    /** A command older than the newest command already applied (anti-rollback). */
    STALE_COMMAND,
    /** A key of the wrong size or an invalid curve point, or a password that is too short. */
    INVALID_KEY,
    /** A topic that is empty, longer than 512 bytes or not valid UTF-8. */
    INVALID_TOPIC,
    /** An exact copy of a message already accepted, or one the replay cache cannot rule out. */
    REPLAYED,
    /** The client state could not be read or written. */
    STORAGE,
    /** An argument that is not valid for this call, such as an ID that is not 16 bytes. */
    INVALID_ARGUMENT,
    /** An operation of the other key mode (symmetric vs public-key). */
    WRONG_MODE
  }

  private final Reason reason;

  public E4Exception(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public E4Exception(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /**
   * The public form of a refusal from the internals: the reason of the same name, and the same
   * message, cause and stack trace, so it reads as if thrown where the refusal was.
   */
  static E4Exception of(ProtocolException refused) {
    E4Exception exception =
        new E4Exception(
            Reason.valueOf(refused.refusal().name()), refused.getMessage(), refused.getCause());
    exception.setStackTrace(refused.getStackTrace());
    return exception;
  }
}
