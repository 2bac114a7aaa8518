package io.e4j.server;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A linked device not known to hold a topic's current key.
 *
 * @param device the device's hex ID
 * @param confirmedVersion the key version it last reported holding for the topic, if any
 * @param dueSince since when it should hold the current key: the later of the topic's last rotation
 *     and the device's link to it
 * @param reports whether the device has ever reported its keys; one that does not cannot confirm
 * @param lastSeen when C2 last heard of it (a report, or its subscription to its control topic)
 */
public record DeviceLag(
    String device,
    Optional<String> name,
    OptionalInt confirmedVersion,
    Instant dueSince,
    boolean reports,
    Optional<Instant> lastSeen) {}
