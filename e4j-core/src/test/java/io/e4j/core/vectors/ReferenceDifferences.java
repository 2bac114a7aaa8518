package io.e4j.core.vectors;

import io.e4j.core.E4Exception.Reason;

/**
 * What e4j answers where the Go client answers differently: e4go's results mapped to our reasons,
 * with each deliberate difference explained (README, "Safer than the reference clients").
 */
final class ReferenceDifferences {
  private ReferenceDifferences() {}

  /** The outcome of applying a command e4go answered with {@code result}; null for success. */
  static Reason commandOutcome(String result) {
    if (result.equals("ok") || result.startsWith("no public key exists for id")) {
      // Deliberate: removing a public key that is not held is a no-op, as RemoveTopic is.
      return null;
    }
    if (result.equals("this operation is not supported")) {
      return Reason.UNSUPPORTED_COMMAND;
    }
    if (result.startsWith("invalid symmetric key length")
        || result.startsWith("invalid private key length")) {
      return Reason.INVALID_KEY;
    }
    if (result.startsWith("invalid")) {
      return Reason.INVALID_COMMAND;
    }
    throw new AssertionError("unmapped e4go result: " + result);
  }

  /** The outcome of a negative case e4go answered with {@code e4goCode}; null for success. */
  static Reason negativeCaseOutcome(String name, String e4goCode) {
    switch (name) {
      case "sym_empty_plaintext_valid":
        return null; // Deliberate: what e4j can protect, it can unprotect.
      case "sym_truncated_to_24":
        return Reason.NOT_AUTHENTIC; // Long enough for e4j; the tag then fails.
      case "sym_timestamp_future_1":
      case "pk_timestamp_future_1":
        return null; // Deliberate: within the default 60 s clock skew.
      case "pk_signer_id_swapped":
        // Deliberate: a device knows its own public key (so it reads its own messages); the
        // claimed sender is the receiver itself, whose key does not verify A's signature.
        return Reason.INVALID_SIGNATURE;
      default:
        break;
    }
    return switch (e4goCode) {
      case "OK" -> null;
      case "NOT_AUTHENTIC" -> Reason.NOT_AUTHENTIC;
      case "TIMESTAMP_TOO_OLD" -> Reason.TIMESTAMP_TOO_OLD;
      case "TIMESTAMP_IN_FUTURE" -> Reason.TIMESTAMP_IN_FUTURE;
      case "TOO_SHORT_CIPHERTEXT", "INVALID_PROTECTED_LEN", "OTHER" -> Reason.MESSAGE_TOO_SHORT;
      case "TOPIC_KEY_NOT_FOUND" -> Reason.TOPIC_KEY_MISSING;
      case "INVALID_SIGNATURE" -> Reason.INVALID_SIGNATURE;
      case "PUBKEY_NOT_FOUND" -> Reason.SENDER_UNKNOWN;
      default -> throw new AssertionError("unmapped e4go code " + e4goCode);
    };
  }
}
