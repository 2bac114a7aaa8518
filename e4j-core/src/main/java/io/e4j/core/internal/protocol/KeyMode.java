package io.e4j.core.internal.protocol;

/** The two key modes of E4; the public {@code E4Client.Mode} wraps these one to one. */
public enum KeyMode {
  /** Every device and C2 share symmetric keys; messages carry no signature. */
  SYMMETRIC("symmetric-key"),
  /** Devices sign every message with Ed25519; commands use an X25519 key shared with C2. */
  PUBLIC_KEY("public-key");

  private final String description;

  KeyMode(String description) {
    this.description = description;
  }

  /** "symmetric-key" or "public-key", for messages. */
  public String description() {
    return description;
  }
}
