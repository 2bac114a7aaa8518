package io.e4j.server;

import java.time.Instant;

/** An API token as C2 keeps it: a name and a role, never the token itself. */
public record ApiToken(String name, Role role, Instant createdAt) {}
