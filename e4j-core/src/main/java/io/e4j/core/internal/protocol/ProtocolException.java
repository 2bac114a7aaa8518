package io.e4j.core.internal.protocol;

/**
 * A refusal from inside e4j-core: a {@link Refusal} and a sentence for people (naming topics, files
 * and sizes, never key material). The public API rethrows it as an {@code E4Exception} with the
 * same reason, message, cause and stack trace.
 */
public final class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Refusal refusal;

  public ProtocolException(Refusal refusal, String message) {
    super(message);
    this.refusal = refusal;
  }

  public ProtocolException(Refusal refusal, String message, Throwable cause) {
    super(message, cause);
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }
}
