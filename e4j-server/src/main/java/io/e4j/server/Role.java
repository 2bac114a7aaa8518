package io.e4j.server;

/** What an API token may do; each role may do everything the roles before it may. */
public enum Role {
  /** Reads: devices, topics, links, deliveries, events. */
  VIEWER,
  /** Also changes devices, topics, links and public keys, and rotates topics. */
  OPERATOR,
  /** Everything: C2's key, API tokens, the audit log, protecting and opening messages. */
  ADMIN;

  public boolean allows(Role needed) {
    return compareTo(needed) >= 0;
  }
}
