package io.e4j.core.vectors;

import io.e4j.core.E4Exception.Reason;

/**
 * What e4j answers where e4go answered: e4go's results mapped to our reasons, and each deliberate
 * difference explained where it is decided (README, "Safer than the reference clients").
 */
final class ReferenceDifferences {
  private ReferenceDifferences() {}

  /** The outcome of a command e4go answered with {@code e4goResult}; null for applied. */
  static Reason commandOutcome(String e4goResult) {
    if (e4goResult.equals("ok")) {
      return null;
    }
    if (e4goResult.startsWith("no public key exists for id")) {
      // Deliberate: removing a public key that is not held is a no-op, as RemoveTopic of an
      // absent topic is in e4go itself; C2 cannot know which keys a device still holds.
      return null;
    }
    if (e4goResult.equals("this operation is not supported")) {
      return Reason.UNSUPPORTED_COMMAND;
    }
    if (e4goResult.startsWith("invalid symmetric key length")
        || e4goResult.startsWith("invalid private key length")) {
      return Reason.INVALID_KEY;
    }
    if (e4goResult.equals("invalid command") || e4goResult.matches("invalid \\w+ length")) {
      return Reason.INVALID_COMMAND;
    }
    throw new AssertionError("unmapped e4go command result: " + e4goResult);
  }

  /**
   * The outcome of the negative case {@code name}, which e4go answered with {@code e4goCode} (the
   * symbolic names of section g); null for accepted.
   */
  static Reason negativeCaseOutcome(String name, String e4goCode) {
    switch (name) {
      case "sym_empty_plaintext_valid":
        // Deliberate: what e4j (and e4go) can protect, e4j can unprotect; libe4 agrees.
        return null;
      case "sym_truncated_to_24":
        // A 24-byte message is long enough for e4j (an empty payload); the tag then fails.
        return Reason.NOT_AUTHENTIC;
      case "sym_timestamp_future_1":
      case "pk_timestamp_future_1":
        // Deliberate: within the default 60 s clock skew, so one fast sender clock does not
        // break its readers. With clockSkew(ZERO) e4go's TIMESTAMP_IN_FUTURE is reproduced.
        return null;
      case "pk_signer_id_swapped":
        // Deliberate: a device knows its own public key (so it reads its own messages). The
        // claimed sender is the receiver itself, whose key does not verify A's signature.
        return Reason.INVALID_SIGNATURE;
      default:
        return sameAsE4go(e4goCode);
    }
  }

  private static Reason sameAsE4go(String e4goCode) {
    return switch (e4goCode) {
      case "OK" -> null;
      case "NOT_AUTHENTIC" -> Reason.NOT_AUTHENTIC;
      case "TIMESTAMP_TOO_OLD" -> Reason.TIMESTAMP_TOO_OLD;
      case "TIMESTAMP_IN_FUTURE" -> Reason.TIMESTAMP_IN_FUTURE;
      // OTHER is e4go's "too short ciphertext", the only case outside its error table.
      case "TOO_SHORT_CIPHERTEXT", "INVALID_PROTECTED_LEN", "OTHER" -> Reason.MESSAGE_TOO_SHORT;
      case "TOPIC_KEY_NOT_FOUND" -> Reason.TOPIC_KEY_MISSING;
      case "INVALID_SIGNATURE" -> Reason.INVALID_SIGNATURE;
      case "PUBKEY_NOT_FOUND" -> Reason.SENDER_UNKNOWN;
      default -> throw new AssertionError("unmapped e4go code " + e4goCode);
    };
  }
}
