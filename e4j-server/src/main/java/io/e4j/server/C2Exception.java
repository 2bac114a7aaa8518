package io.e4j.server;

/** A C2 operation that cannot be done, with a machine-readable reason and a sentence for people. */
public final class C2Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why an operation failed. */
  public enum Reason {
    /** The named device, topic or link does not exist. */
    NOT_FOUND,
    /** The device or topic exists already (and replacing it was not asked for). */
    ALREADY_EXISTS,
    /** An argument is malformed: wrong key size, topic too long, missing name. */
    INVALID_ARGUMENT,
    /** The operation belongs to the other crypto mode (public keys in SK mode, for example). */
    WRONG_MODE,
    /** The configuration is incomplete or contradicts the store. */
    CONFIGURATION,
    /** The key-encryption key is missing or does not open the store. */
    KEK,
    /** The database failed. */
    STORAGE,
    /** The caller's role does not allow the operation. */
    PERMISSION_DENIED
  }

  private final Reason reason;

  public C2Exception(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public C2Exception(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
