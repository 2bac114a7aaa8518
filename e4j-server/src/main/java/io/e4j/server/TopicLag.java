package io.e4j.server;

import java.time.Instant;
import java.util.OptionalInt;

/**
 * A topic whose current key a device is not known to hold.
 *
 * @param currentVersion the topic's key version now
 * @param confirmedVersion the version the device last reported holding, if any
 * @param dueSince the later of the topic's last rotation and the device's link to it
 */
public record TopicLag(
    String topic, int currentVersion, OptionalInt confirmedVersion, Instant dueSince) {}
