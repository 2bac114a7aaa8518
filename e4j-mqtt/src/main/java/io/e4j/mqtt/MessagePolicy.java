package io.e4j.mqtt;

/** What to do with a message on a topic this device holds no key for, on either path. */
public enum MessagePolicy {
  /** Drop it and report {@code TOPIC_KEY_MISSING} to the listener: nothing travels in clear. */
  STRICT,
  /** Publish and deliver it as it is, marked as not protected ({@link E4Message#protectedByE4}). */
  ALLOW_CLEARTEXT
}
