package io.e4j.server.internal.api;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.Role;
import io.e4j.server.internal.change.Authority;
import io.e4j.server.internal.change.Changes;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.tokens.ApiTokens;
import java.util.Optional;

/**
 * The checks every route shares, the API's one decorator: the bearer token is authenticated, its
 * role compared with what the operation needs ({@link Authority}), and every refusal recorded in
 * the audit log (through {@link Changes}, its one writer).
 */
public final class Access {
  private static final String BEARER = "bearer ";

  private final ApiTokens tokens;
  private final Changes changes;

  public Access(ApiTokens tokens, Changes changes) {
    this.tokens = tokens;
    this.changes = changes;
  }

  /** The role an operation needs; an operation of another service (reflection): a viewer. */
  public static Role needed(String operation, boolean ofC2) {
    return ofC2 ? Authority.needed(operation) : Role.VIEWER;
  }

  /** A decision: the caller if allowed; otherwise why not, for the client. */
  public record Decision(Optional<Caller> caller, boolean authenticated, String refusal) {
    public boolean allowed() {
      return caller.isPresent();
    }
  }

  /**
   * Authenticates {@code authorization} (an HTTP Authorization header's value) and checks that its
   * token may do {@code operation}; a refusal is recorded in the audit log.
   */
  public Decision check(String authorization, String operation, Role needed, String target) {
    Optional<Caller> caller = tokens.authenticate(bearer(authorization));
    if (caller.isEmpty()) {
      String why =
          authorization == null
              ? "no API token: send \"authorization: Bearer <token>\""
              : "not a valid API token";
      changes.refusedAnonymous(operation, target, why);
      return new Decision(Optional.empty(), false, why);
    }
    if (!caller.get().role().allows(needed)) {
      String why =
          "token '"
              + caller.get().name()
              + "' is "
              + caller.get().role()
              + "; "
              + operation
              + " needs "
              + needed;
      changes.refused(
          caller.get(), operation, target, new C2Exception(Reason.PERMISSION_DENIED, why));
      return new Decision(Optional.empty(), true, why);
    }
    return new Decision(caller, true, null);
  }

  private static String bearer(String authorization) {
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return authorization.substring(BEARER.length()).trim();
  }
}
