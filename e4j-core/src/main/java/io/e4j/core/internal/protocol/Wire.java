package io.e4j.core.internal.protocol;

/** E4's wire sizes (PROTOCOL.md): where each field of a protected message starts. */
public final class Wire {
  public static final int TIMESTAMP = 8;
  public static final int ID = 16;
  public static final int TAG = 16;
  public static final int KEY = 32;
  public static final int SIGNATURE = 64;

  /** timestamp || tag || ciphertext. */
  public static final int SK_OVERHEAD = TIMESTAMP + TAG;

  /** timestamp || sender ID || tag || ciphertext || signature. */
  public static final int PK_OVERHEAD = TIMESTAMP + ID + TAG + SIGNATURE;

  public static final int SK_TAG_OFFSET = TIMESTAMP;
  public static final int PK_SENDER_OFFSET = TIMESTAMP;
  public static final int PK_TAG_OFFSET = TIMESTAMP + ID;

  public static final int MAX_TOPIC_BYTES = 512;
  public static final int MAX_NAME_BYTES = 255;
  public static final String CONTROL_TOPIC_PREFIX = "e4/";

  private Wire() {}
}
