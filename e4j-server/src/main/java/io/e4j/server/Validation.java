package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.e4j.server.C2Exception.Reason;

/** The size rules of E4 for device names and topics, checked before anything reaches the store. */
public final class Validation {
  public static final int MAX_DEVICE_NAME = 255;
  public static final int MAX_TOPIC = 512;

  private Validation() {}

  public static void deviceName(String name) {
    if (name == null || name.isEmpty()) {
      throw new C2Exception(Reason.INVALID_ARGUMENT, "a device name must not be empty");
    }
    if (name.getBytes(UTF_8).length > MAX_DEVICE_NAME) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT,
          "a device name is at most " + MAX_DEVICE_NAME + " bytes of UTF-8");
    }
  }

  public static void topic(String topic) {
    if (topic == null || topic.isEmpty()) {
      throw new C2Exception(Reason.INVALID_ARGUMENT, "a topic must not be empty");
    }
    if (topic.getBytes(UTF_8).length > MAX_TOPIC) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT, "a topic is at most " + MAX_TOPIC + " bytes of UTF-8");
    }
  }
}
