package io.e4j.server.internal.outbox;

import io.e4j.server.DeliveryStatus;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How the send of an outbox row ended: delivered, failed (with the error recorded in the row), or
 * skipped back to pending because an earlier command of its device was not delivered.
 */
record Outcome(OutboxRow row, DeliveryStatus status, String error) {
  private static final int MAX_ERROR = 1_000;

  static Outcome delivered(OutboxRow row) {
    return new Outcome(row, DeliveryStatus.SENT, null);
  }

  static Outcome failed(OutboxRow row, Throwable failure) {
    return new Outcome(row, DeliveryStatus.FAILED, describe(failure));
  }

  static Outcome skipped(OutboxRow row) {
    return new Outcome(row, DeliveryStatus.PENDING, null);
  }

  boolean isDelivered() {
    return status == DeliveryStatus.SENT;
  }

  boolean isFailed() {
    return status == DeliveryStatus.FAILED;
  }

  /** A failure as recorded in an outbox row: its cause's class and message, bounded. */
  static String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null
        && (cause instanceof CompletionException || cause instanceof ExecutionException)) {
      cause = cause.getCause();
    }
    String message = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return message.length() > MAX_ERROR ? message.substring(0, MAX_ERROR) : message;
  }
}
