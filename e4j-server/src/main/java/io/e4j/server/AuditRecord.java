package io.e4j.server;

import java.time.Instant;
import java.util.Optional;

/**
 * One call recorded in the audit log: every mutating call, allowed or refused, and every call the
 * API denied.
 *
 * @param actor the API token's name; {@code local} for calls in the server process
 * @param action the operation, as the API names it ({@code CreateDevice})
 * @param target what it acted on: a device, a topic, {@code device -> topic}
 * @param outcome {@code OK}, {@code DENIED}, {@code UNAUTHENTICATED}, or the failure's reason
 */
public record AuditRecord(
    long id,
    Instant time,
    String actor,
    Optional<Role> role,
    String action,
    String target,
    String outcome,
    Optional<String> detail) {}
