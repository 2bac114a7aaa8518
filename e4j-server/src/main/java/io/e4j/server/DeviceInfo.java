package io.e4j.server;

import java.time.Instant;
import java.util.Optional;

/**
 * A device as C2 knows it, without secrets. IDs and public keys are lower-case hex.
 *
 * @param publicKey the Ed25519 public key (PK mode)
 */
public record DeviceInfo(
    String id,
    Optional<String> name,
    Optional<String> publicKey,
    Instant createdAt,
    Instant updatedAt) {}
