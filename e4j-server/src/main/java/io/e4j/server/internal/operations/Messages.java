package io.e4j.server.internal.operations;

import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.CryptoMode;
import io.e4j.server.UnprotectedMessage;
import io.e4j.server.Validation;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.TopicStore;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;

/**
 * Protecting and opening messages with a topic's current key, as a device would: C2 writes and
 * reads what any device of the topic could. Changes nothing; {@link C2Operations} audits each call.
 */
final class Messages {
  private static final HexFormat HEX = HexFormat.of();

  private final Database database;
  private final TopicStore topics;
  private final DeviceStore devices;
  private final CryptoMode mode;
  private final Clock clock;

  Messages(
      Database database, TopicStore topics, DeviceStore devices, CryptoMode mode, Clock clock) {
    this.database = database;
    this.topics = topics;
    this.devices = devices;
    this.mode = mode;
    this.clock = clock;
  }

  /** SK mode: {@code payload} protected under the topic's current key. */
  byte[] protect(String topic, byte[] payload) {
    Validation.topic(topic);
    if (mode == CryptoMode.PUBLIC_KEY) {
      throw new C2Exception(
          Reason.WRONG_MODE,
          "in public-key mode devices accept only messages signed by a device; C2 has no"
              + " device identity to sign with");
    }
    return withTopicKey(topic, client -> client.protect(topic, payload));
  }

  /** The message checked and opened; PK mode: its signature checked with the sender's key. */
  UnprotectedMessage unprotect(String topic, byte[] message) {
    Validation.topic(topic);
    if (mode == CryptoMode.SYMMETRIC_KEY) {
      return new UnprotectedMessage(
          withTopicKey(topic, client -> open(client, topic, message)), Optional.empty());
    }
    if (message.length < Keys.ID_SIZE + 8) {
      throw new C2Exception(Reason.INVALID_ARGUMENT, "too short for a signed E4 message");
    }
    byte[] senderId = Arrays.copyOfRange(message, 8, 8 + Keys.ID_SIZE);
    byte[] senderKey =
        database
            .read(handle -> devices.publicKey(handle, senderId))
            .orElseThrow(
                () ->
                    new C2Exception(
                        Reason.NOT_FOUND,
                        "the sender " + HEX.formatHex(senderId) + " is not a device of this C2"));
    byte[] payload =
        withTopicKey(
            topic,
            client -> {
              client.addPublicKey(senderId, senderKey);
              return open(client, topic, message);
            });
    return new UnprotectedMessage(payload, Optional.of(HEX.formatHex(senderId)));
  }

  private static byte[] open(E4Client client, String topic, byte[] message) {
    try {
      return client.unprotect(topic, message).orElseThrow();
    } catch (E4Exception e) {
      throw new C2Exception(Reason.INVALID_ARGUMENT, "cannot open the message: " + e.getMessage());
    }
  }

  /**
   * Runs {@code work} with a throw-away client in C2's mode that holds only the topic's current
   * key: a message under an older key is refused.
   */
  private <T> T withTopicKey(String topic, Function<E4Client, T> work) {
    byte[] key =
        database
            .read(handle -> topics.keyOf(handle, topic))
            .orElseThrow(() -> new C2Exception(Reason.NOT_FOUND, "no topic '" + topic + "'"));
    byte[] ownKey = mode == CryptoMode.SYMMETRIC_KEY ? Keys.randomKey() : Keys.newEd25519();
    try {
      E4Client.Builder builder = E4Client.builder().name("c2-message-helper").clock(clock);
      E4Client client =
          mode == CryptoMode.SYMMETRIC_KEY
              ? builder.key(ownKey).build()
              : builder
                  .signingKey(ownKey)
                  .c2PublicKey(Keys.curve25519PublicFromPrivate(Keys.newCurve25519()))
                  .build();
      client.setTopicKey(topic, key);
      return work.apply(client);
    } finally {
      Arrays.fill(key, (byte) 0);
      Arrays.fill(ownKey, (byte) 0);
    }
  }
}
