package io.e4j.server.internal.outbox;

/**
 * A link of a rotation's topic as the walk reads it, the device's key still sealed.
 *
 * @param linkedPosition the position that linked the device: after the rotation's, it is not in the
 *     rotation's audience (the link itself sent the key)
 * @param keyPosition the position at which the device's key last changed: after the rotation's, the
 *     rotation goes under the key kept for it
 * @param latestUndelivered the position of the device's latest undelivered row at or before the
 *     rotation's, if any: the rotation's own if the device already has its row for it
 */
record FanoutLink(
    byte[] deviceId,
    long linkedPosition,
    long keyPosition,
    byte[] sealedKey,
    Long latestUndelivered) {}
