package io.e4j.server.internal.outbox;

/**
 * An outbox row as fetched for sending, its keys still sealed: {@code pinnedKey} if the key it goes
 * under was kept for it ({@link OutboxWriter#keyChanging}), else its device's current {@code
 * deviceKey}; {@code behind} if an earlier command of its device was undelivered when it was read.
 */
record OutboxRow(
    long id,
    long position,
    byte[] deviceId,
    int attempts,
    byte[] commandId,
    byte[] pinnedKey,
    byte[] deviceKey,
    boolean behind,
    String commandName) {

  /** Where the row is in its device's order. */
  Place place() {
    return new Place(position, id);
  }
}
