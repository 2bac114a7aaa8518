package io.e4j.server;

import java.time.Instant;
import java.util.Optional;

/**
 * One command to one device, as the outbox tracks it.
 *
 * @param command the command's name, e.g. {@code SetTopicKey}
 * @param deviceSequence the command's place in its device's order (1 is the first)
 */
public record Delivery(
    long id,
    String deviceId,
    long deviceSequence,
    String command,
    DeliveryStatus status,
    int attempts,
    Optional<String> lastError,
    Instant createdAt,
    Optional<Instant> deliveredAt) {}
