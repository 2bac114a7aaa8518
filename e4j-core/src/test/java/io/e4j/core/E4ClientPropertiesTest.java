package io.e4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.internal.crypto.Signing;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Properties of protect, unprotect and commands over random keys, topics and payloads. */
class E4ClientPropertiesTest {
  private static final Instant NOW = Instant.ofEpochSecond(TestDevices.NOW);
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Provide
  Arbitrary<String> topics() {
    return Arbitraries.strings()
        .withCharRange(' ', '~')
        .withCharRange('\u00a0', '\u07ff')
        .withCharRange('\u4e00', '\u4fff')
        .ofMinLength(1)
        .ofMaxLength(170);
  }

  @Provide
  Arbitrary<byte[]> keys() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32);
  }

  @Provide
  Arbitrary<byte[]> payloads() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(3000);
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

  @Property(tries = 300)
  void symmetric_unprotectInvertsProtect(
      @ForAll("keys") byte[] topicKey,
      @ForAll("topics") String topic,
      @ForAll("payloads") byte[] payload) {
    E4Client sender = symmetricDevice("sender", topic, topicKey);
    E4Client receiver = symmetricDevice("receiver", topic, topicKey);

    assertThat(receiver.unprotect(topic, sender.protect(topic, payload))).contains(payload);
  }

  @Property(tries = 150)
  void publicKey_unprotectInvertsProtect(
      @ForAll("keys") byte[] topicKey,
      @ForAll("topics") String topic,
      @ForAll("payloads") byte[] payload) {
    E4Client sender = publicKeyDevice("sender", topic, topicKey);
    E4Client receiver = publicKeyDevice("receiver", topic, topicKey);
    receiver.addPublicKey(sender.id(), sender.publicKey());

    assertThat(receiver.unprotect(topic, sender.protect(topic, payload))).contains(payload);
  }

  @Property(tries = 500)
  void symmetric_anySingleBitFlipIsRejected(
      @ForAll("keys") byte[] topicKey,
      @ForAll @Size(max = 200) byte[] payload,
      @ForAll int bitSeed) {
    E4Client sender = symmetricDevice("sender", "t", topicKey);
    E4Client receiver = symmetricDevice("receiver", "t", topicKey);
    byte[] message = sender.protect("t", payload);
    flipBit(message, bitSeed);

    assertThatThrownBy(() -> receiver.unprotect("t", message)).isInstanceOf(E4Exception.class);
  }

  @Property(tries = 300)
  void publicKey_anySingleBitFlipIsRejected(
      @ForAll("keys") byte[] topicKey,
      @ForAll @Size(max = 200) byte[] payload,
      @ForAll int bitSeed) {
    E4Client sender = publicKeyDevice("sender", "t", topicKey);
    E4Client receiver = publicKeyDevice("receiver", "t", topicKey);
    receiver.addPublicKey(sender.id(), sender.publicKey());
    byte[] message = sender.protect("t", payload);
    flipBit(message, bitSeed);

    assertThatThrownBy(() -> receiver.unprotect("t", message)).isInstanceOf(E4Exception.class);
  }

  @Property(tries = 300)
  void command_anySingleBitFlipIsRejected(@ForAll("keys") byte[] topicKey, @ForAll int bitSeed) {
    E4Client device = symmetricDevice("device", "t", topicKey);
    byte[] message =
        Commands.protect(Commands.setTopicKey(topicKey, "other"), TestDevices.key("device"), NOW);
    flipBit(message, bitSeed);

    assertThatThrownBy(() -> device.unprotect(device.controlTopic(), message))
        .isInstanceOf(E4Exception.class);
    assertThat(device.hasTopicKey("other")).isFalse();
  }

  private static void flipBit(byte[] message, int bitSeed) {
    int bit = Math.floorMod(bitSeed, message.length * 8);
    message[bit / 8] ^= (byte) (1 << (bit % 8));
  }

  @Provide
  Arbitrary<byte[]> commands() {
    Arbitrary<byte[]> key = keys();
    Arbitrary<byte[]> id = Arbitraries.bytes().array(byte[].class).ofSize(16);
    Arbitrary<String> topic = topics();
    Arbitrary<byte[]> ed25519 = key.map(Signing::privateKeyFromSeed);
    return Arbitraries.oneOf(
        topic.map(Commands::removeTopic),
        Arbitraries.just(Commands.resetTopics()),
        key.map(Commands::setIdKey),
        ed25519.map(Commands::setIdKey),
        Combinators.combine(key, topic).as(Commands::setTopicKey),
        id.map(Commands::removePubKey),
        Arbitraries.just(Commands.resetPubKeys()),
        Combinators.combine(ed25519.map(Keys::ed25519Public), id).as(Commands::setPubKey),
        key.map(seed -> Keys.curve25519PublicFromPrivate(seed)).map(Commands::setC2Key));
  }

  @Property(tries = 500)
  void everyCommand_roundTripsThroughItsEncoding(@ForAll("commands") byte[] command) {
    assertThat(Command.parse(command).encode()).isEqualTo(command);
  }

  @Property(tries = 300)
  void everyCommand_isAppliedByAPublicKeyDevice(@ForAll("commands") byte[] command) {
    E4Client device = TestDevices.publicKey("device", CLOCK).build();
    Assume.that(!(Command.parse(command) instanceof Command.SetIdKey) || command.length == 65);
    byte[] message = Commands.protect(command, TestDevices.publicKeyCommandKey("device"), NOW);

    assertThat(device.unprotect(device.controlTopic(), message)).isEmpty();
  }
}
