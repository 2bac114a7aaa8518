package io.e4j.mqtt;

/**
 * A message delivered to a subscription.
 *
 * @param topic the topic it was published on (not the filter it matched)
 * @param payload the plaintext
 * @param qos the quality of service it arrived with (0, 1 or 2)
 * @param retained whether the broker kept it as the topic's retained message
 * @param protectedByE4 false only for a message let through in clear by {@link
 *     MessagePolicy#ALLOW_CLEARTEXT}
 */
public record E4Message(
    String topic, byte[] payload, int qos, boolean retained, boolean protectedByE4) {
  @Override
  public String toString() {
    return "E4Message["
        + topic
        + ", "
        + payload.length
        + " bytes, qos "
        + qos
        + (retained ? ", retained" : "")
        + (protectedByE4 ? "" : ", cleartext")
        + "]";
  }
}
