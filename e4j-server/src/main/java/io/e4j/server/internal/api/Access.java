package io.e4j.server.internal.api;

import io.e4j.server.Role;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.journal.Journal;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call what, and the checks every route shares: the bearer token is authenticated, its role
 * compared with what the operation needs, and every refusal recorded in the audit log.
 */
public final class Access {
  /** Calls a viewer may make; everything else needs more. */
  private static final Set<String> READS =
      Set.of(
          "GetCryptoMode",
          "GetCounts",
          "GetDevice",
          "ListDevices",
          "ListDeviceTopics",
          "ListDeliveries",
          "GetTopic",
          "ListTopics",
          "ListTopicDevices",
          "ListPublicKeys",
          "GetC2PublicKey",
          "ListEvents",
          "StreamEvents",
          "WhoAmI");

  /** Calls only an admin may make: C2's key, tokens, the audit log, the message helpers. */
  private static final Set<String> ADMIN_ONLY =
      Set.of(
          "NewC2Key",
          "ProtectMessage",
          "UnprotectMessage",
          "ListAudit",
          "CreateToken",
          "ListTokens",
          "RevokeToken");

  private static final String BEARER = "bearer ";

  private final ApiTokens tokens;
  private final Journal journal;

  public Access(ApiTokens tokens, Journal journal) {
    this.tokens = tokens;
    this.journal = journal;
  }

  /** The role an operation needs; an operation of another service (reflection): a viewer. */
  public static Role needed(String operation, boolean ofC2) {
    if (!ofC2 || READS.contains(operation)) {
      return Role.VIEWER;
    }
    return ADMIN_ONLY.contains(operation) ? Role.ADMIN : Role.OPERATOR;
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
      journal.auditAlone("anonymous", Optional.empty(), operation, target, "UNAUTHENTICATED", why);
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
      journal.auditAlone(
          caller.get().name(), Optional.of(caller.get().role()), operation, target, "DENIED", why);
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
