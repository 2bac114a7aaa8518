package io.e4j.server.internal.outbox;

/** Where a command is in its device's order: by position, then by row ID. */
record Place(long position, long id) {
  boolean isBefore(Place other) {
    return position < other.position || (position == other.position && id < other.id);
  }
}
