package io.e4j.server.internal.change;

import io.e4j.server.Role;
import java.util.Set;

/** Which role each operation needs: the one table, for the API and for every change. */
public final class Authority {
  /** Operations a viewer may call; everything else needs more. */
  private static final Set<String> READS =
      Set.of(
          "GetCryptoMode",
          "GetCounts",
          "GetDevice",
          "ListDevices",
          "ListDeviceTopics",
          "ListDeliveries",
          "GetDeviceStatus",
          "GetTopicStatus",
          "GetTopic",
          "ListTopics",
          "ListTopicDevices",
          "ListPublicKeys",
          "GetC2PublicKey",
          "ListEvents",
          "StreamEvents",
          "WhoAmI");

  /** Operations only an admin may call: C2's key, tokens, the audit log, the message helpers. */
  private static final Set<String> ADMIN_ONLY =
      Set.of(
          "NewC2Key",
          "ProtectMessage",
          "UnprotectMessage",
          "ListAudit",
          "CreateToken",
          "ListTokens",
          "RevokeToken");

  private Authority() {}

  /** The role C2's operation {@code operation} needs. */
  public static Role needed(String operation) {
    if (READS.contains(operation)) {
      return Role.VIEWER;
    }
    return ADMIN_ONLY.contains(operation) ? Role.ADMIN : Role.OPERATOR;
  }
}
