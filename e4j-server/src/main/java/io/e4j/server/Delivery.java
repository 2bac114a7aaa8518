package io.e4j.server;

import java.time.Instant;
import java.util.Optional;

/**
 * One command to one device, as the outbox tracks it.
 *
 * @param position the command's place in its device's order: a device gets its commands in position
 *     order
 * @param command the command's name, e.g. {@code SetTopicKey}
 * @param attempts how many times it was sent; a rotation delivered to a device on the first try
 *     counts one
 * @param sentAt when the transport acknowledged it; for a rotation, when the last of its devices
 *     did
 */
public record Delivery(
    long position,
    String deviceId,
    String command,
    DeliveryStatus status,
    int attempts,
    Optional<String> lastError,
    Instant createdAt,
    Optional<Instant> sentAt) {}
