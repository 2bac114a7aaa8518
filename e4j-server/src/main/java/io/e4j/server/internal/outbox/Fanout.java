package io.e4j.server.internal.outbox;

/**
 * A topic fan-out (rotation) as stored.
 *
 * @param topic the topic's name; null if it was removed since
 * @param doneThrough the last device of the walk's persisted progress; null before the first
 */
record Fanout(
    long position,
    byte[] topicId,
    String topic,
    byte[] commandId,
    String commandName,
    byte[] doneThrough,
    byte[] sealedCommand) {}
