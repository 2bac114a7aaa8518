package io.e4j.server;

/** How devices are keyed; fixed for the life of a key store. */
public enum CryptoMode {
  /** Every device has a 32-byte key that C2 also holds; commands are protected under it. */
  SYMMETRIC_KEY,
  /**
   * Every device has an Ed25519 key pair, C2 holds only the public half and a Curve25519 pair of
   * its own; commands are protected under the key the two pairs share.
   */
  PUBLIC_KEY
}
