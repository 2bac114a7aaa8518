package io.e4j.server.internal.journal;

import io.e4j.server.Role;
import java.util.Objects;

/** Who makes a call: an API token's name and role, or the server process itself. */
public record Caller(String name, Role role) {
  /** Calls made through the Java API, inside the server process. */
  public static final Caller LOCAL = new Caller("local", Role.ADMIN);

  public Caller {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
  }
}
