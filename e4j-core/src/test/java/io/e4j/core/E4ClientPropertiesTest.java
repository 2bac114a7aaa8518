package io.e4j.core;

import static io.e4j.core.RandomCases.bytes;
import static io.e4j.core.RandomCases.size;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.internal.crypto.Signing;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Properties of protect, unprotect and commands over random keys, topics and payloads. Each test
 * prints its seed and case count; {@code -De4j.seed=SEED} replays a failure (see {@link
 * RandomCases}).
 */
class E4ClientPropertiesTest {
  private static final Instant NOW = Instant.ofEpochSecond(TestDevices.NOW);
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /**
   * The characters topics are drawn from, each equally likely: printable ASCII, U+00A0 to U+07FF
   * (two UTF-8 bytes) and U+4E00 to U+4FFF (three bytes, so 170 of them are 510 bytes, within the
   * 512-byte limit).
   */
  private static final char[][] TOPIC_CHAR_RANGES = {
    {' ', '~'}, {'\u00a0', '\u07ff'}, {'\u4e00', '\u4fff'}
  };

  private static final int TOPIC_CHARS = countChars(TOPIC_CHAR_RANGES);

  /** 1 to 170 characters from {@link #TOPIC_CHAR_RANGES}. */
  static String topic(SplittableRandom random) {
    char[] chars = new char[size(random, 1, 170)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = topicChar(random.nextInt(TOPIC_CHARS));
    }
    return new String(chars);
  }

  static byte[] key(SplittableRandom random) {
    return bytes(random, 32);
  }

  /** 0 to 3000 bytes. */
  static byte[] payload(SplittableRandom random) {
    return bytes(random, size(random, 0, 3000));
  }

  /** 0 to 200 bytes, for the bit-flip properties. */
  static byte[] shortPayload(SplittableRandom random) {
    return bytes(random, size(random, 0, 200));
  }

  private static E4Client symmetricDevice(String name, String topic, byte[] topicKey) {
    E4Client client = E4Client.builder().name(name).key(TestDevices.key(name)).clock(CLOCK).build();
    client.setTopicKey(topic, topicKey);
    return client;
  }

  private static E4Client publicKeyDevice(String name, String topic, byte[] topicKey) {
    E4Client client = TestDevices.publicKey(name, CLOCK).build();
    client.setTopicKey(topic, topicKey);
    return client;
  }

  @Test
  void symmetric_unprotectInvertsProtect(TestInfo test) {
    RandomCases.check(
        test,
        300,
        random -> {
          byte[] topicKey = key(random);
          String topic = topic(random);
          byte[] payload = payload(random);
          E4Client sender = symmetricDevice("sender", topic, topicKey);
          E4Client receiver = symmetricDevice("receiver", topic, topicKey);

          assertThat(receiver.unprotect(topic, sender.protect(topic, payload))).contains(payload);
        });
  }

  @Test
  void publicKey_unprotectInvertsProtect(TestInfo test) {
    RandomCases.check(
        test,
        150,
        random -> {
          byte[] topicKey = key(random);
          String topic = topic(random);
          byte[] payload = payload(random);
          E4Client sender = publicKeyDevice("sender", topic, topicKey);
          E4Client receiver = publicKeyDevice("receiver", topic, topicKey);
          receiver.addPublicKey(sender.id(), sender.publicKey());

          assertThat(receiver.unprotect(topic, sender.protect(topic, payload))).contains(payload);
        });
  }

  @Test
  void symmetric_anySingleBitFlipIsRejected(TestInfo test) {
    RandomCases.check(
        test,
        500,
        random -> {
          byte[] topicKey = key(random);
          byte[] payload = shortPayload(random);
          int bitSeed = random.nextInt();
          E4Client sender = symmetricDevice("sender", "t", topicKey);
          E4Client receiver = symmetricDevice("receiver", "t", topicKey);
          byte[] message = sender.protect("t", payload);
          flipBit(message, bitSeed);

          assertThatThrownBy(() -> receiver.unprotect("t", message))
              .isInstanceOf(E4Exception.class);
        });
  }

  @Test
  void publicKey_anySingleBitFlipIsRejected(TestInfo test) {
    RandomCases.check(
        test,
        300,
        random -> {
          byte[] topicKey = key(random);
          byte[] payload = shortPayload(random);
          int bitSeed = random.nextInt();
          E4Client sender = publicKeyDevice("sender", "t", topicKey);
          E4Client receiver = publicKeyDevice("receiver", "t", topicKey);
          receiver.addPublicKey(sender.id(), sender.publicKey());
          byte[] message = sender.protect("t", payload);
          flipBit(message, bitSeed);

          assertThatThrownBy(() -> receiver.unprotect("t", message))
              .isInstanceOf(E4Exception.class);
        });
  }

  @Test
  void command_anySingleBitFlipIsRejected(TestInfo test) {
    RandomCases.check(
        test,
        300,
        random -> {
          byte[] topicKey = key(random);
          int bitSeed = random.nextInt();
          E4Client device = symmetricDevice("device", "t", topicKey);
          byte[] message =
              Commands.protect(
                  Commands.setTopicKey(topicKey, "other"), TestDevices.key("device"), NOW);
          flipBit(message, bitSeed);

          assertThatThrownBy(() -> device.unprotect(device.controlTopic(), message))
              .isInstanceOf(E4Exception.class);
          assertThat(device.hasTopicKey("other")).isFalse();
        });
  }

  private static void flipBit(byte[] message, int bitSeed) {
    int bit = Math.floorMod(bitSeed, message.length * 8);
    message[bit / 8] ^= (byte) (1 << (bit % 8));
  }

  /** One of the nine command shapes, equally likely, with random contents. */
  static byte[] command(SplittableRandom random) {
    switch (random.nextInt(9)) {
      case 0:
        return Commands.removeTopic(topic(random));
      case 1:
        return Commands.resetTopics();
      case 2:
        return Commands.setIdKey(key(random));
      case 3:
        return Commands.setIdKey(ed25519(random));
      case 4:
        return Commands.setTopicKey(key(random), topic(random));
      case 5:
        return Commands.removePubKey(bytes(random, 16));
      case 6:
        return Commands.resetPubKeys();
      case 7:
        return Commands.setPubKey(Keys.ed25519Public(ed25519(random)), bytes(random, 16));
      default:
        return Commands.setC2Key(Keys.curve25519PublicFromPrivate(key(random)));
    }
  }

  private static byte[] ed25519(SplittableRandom random) {
    return Signing.privateKeyFromSeed(key(random));
  }

  @Test
  void everyCommand_roundTripsThroughItsEncoding(TestInfo test) {
    RandomCases.check(
        test,
        500,
        random -> {
          byte[] command = command(random);

          assertThat(Command.parse(command).encode()).isEqualTo(command);
        });
  }

  @Test
  void everyCommand_isAppliedByAPublicKeyDevice(TestInfo test) {
    RandomCases.check(
        test,
        300,
        random -> {
          byte[] command = publicKeyDeviceCommand(random);
          E4Client device = TestDevices.publicKey("device", CLOCK).build();
          byte[] message =
              Commands.protect(command, TestDevices.publicKeyCommandKey("device"), NOW);

          assertThat(device.unprotect(device.controlTopic(), message)).isEmpty();
        });
  }

  /**
   * A command a public-key device can apply: any but a 32-byte SetIDKey (its own key is an Ed25519
   * key). Drawn again rather than skipped, so every case checks something.
   */
  private static byte[] publicKeyDeviceCommand(SplittableRandom random) {
    while (true) {
      byte[] command = command(random);
      if (!(Command.parse(command) instanceof Command.SetIdKey) || command.length == 65) {
        return command;
      }
    }
  }

  private static int countChars(char[][] ranges) {
    int count = 0;
    for (char[] range : ranges) {
      count += range[1] - range[0] + 1;
    }
    return count;
  }

  /** The {@code index}th character of {@link #TOPIC_CHAR_RANGES}, counted across the ranges. */
  private static char topicChar(int index) {
    for (char[] range : TOPIC_CHAR_RANGES) {
      int width = range[1] - range[0] + 1;
      if (index < width) {
        return (char) (range[0] + index);
      }
      index -= width;
    }
    throw new IllegalArgumentException("index beyond the topic characters");
  }
}
