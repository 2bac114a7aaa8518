package io.e4j.server;

import java.time.Instant;

/**
 * A topic as C2 knows it, without its key.
 *
 * @param keyVersion 1 when created, one more at every rotation
 */
public record TopicInfo(String name, int keyVersion, Instant createdAt, Instant rotatedAt) {}
