package io.e4j.server;

import java.util.Optional;

/**
 * A message C2 opened with a topic's key.
 *
 * @param senderId public-key mode: the sending device's ID, lower-case hex
 */
public record UnprotectedMessage(byte[] payload, Optional<String> senderId) {
  public UnprotectedMessage {
    payload = payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public String toString() {
    return "UnprotectedMessage["
        + payload.length
        + " bytes"
        + senderId.map(s -> ", from " + s).orElse("")
        + "]";
  }
}
