package io.e4j.server;

import java.time.Instant;
import java.util.Optional;

/**
 * A state change or delivery outcome, as recorded with it in the same transaction.
 *
 * @param sequence one more than the event committed before it: no gaps, in commit order
 * @param actor the API token's name that caused it, {@code local} for calls in the server process;
 *     empty for C2's own work (deliveries)
 * @param deviceId lower-case hex
 * @param command the command's name, for delivery events
 * @param deviceCount for events that concern many devices: a rotation's delivery, a C2 key change
 */
public record C2Event(
    long sequence,
    EventType type,
    Instant time,
    Optional<String> actor,
    Optional<String> deviceId,
    Optional<String> deviceName,
    Optional<String> topic,
    Optional<String> command,
    long deviceCount,
    Optional<String> detail) {}
