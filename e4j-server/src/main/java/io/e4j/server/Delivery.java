package io.e4j.server;

import java.time.Instant;
import java.util.Optional;

/**
 * One command to one device, as the outbox tracks it.
 *
 * @param id the command's place in its device's order: a device gets its commands in ID order
 * @param command the command's name, e.g. {@code SetTopicKey}
 */
public record Delivery(
    long id,
    String deviceId,
    String command,
    DeliveryStatus status,
    int attempts,
    Optional<String> lastError,
    Instant createdAt,
    Optional<Instant> deliveredAt) {}
