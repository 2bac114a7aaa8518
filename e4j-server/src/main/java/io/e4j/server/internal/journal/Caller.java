package io.e4j.server.internal.journal;

import io.e4j.server.Role;
import java.util.Objects;

/** Who makes a call: an API token's name and role, or the server process itself. */
public record Caller(String name, Role role) {
  /** Calls made through the Java API, inside the server process. */
  public static final Caller LOCAL = new Caller("local", Role.ADMIN);

  /** C2 acting on its own: delivering again what devices reported missing. */
  public static final Caller C2 = new Caller("c2", Role.ADMIN);

  /** A device, as the sender of a key report (reports are not API calls: no role is needed). */
  public static Caller device(String hexId) {
    return new Caller("device " + hexId, Role.VIEWER);
  }

  public Caller {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
  }
}
