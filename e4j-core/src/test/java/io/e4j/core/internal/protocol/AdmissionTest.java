package io.e4j.core.internal.protocol;

import static io.e4j.core.internal.protocol.TestStates.NOW;
import static io.e4j.core.internal.protocol.TestStates.TOPIC;
import static io.e4j.core.internal.protocol.TestStates.TOPIC_HASH;
import static io.e4j.core.internal.protocol.TestStates.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.SivKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  private static final byte[] PAYLOAD = "21.5 C".getBytes(StandardCharsets.UTF_8);
  private static final Admission.Limits LIMITS = new Admission.Limits(600, 60, 3600, 1000);

  private final AesSiv siv = new AesSiv();
  private final Admission admission = new Admission(siv, LIMITS);
  private final DeviceState receiver = TestStates.symmetric(siv, "receiver");

  private byte[] sealed(byte[] topicKey, long timestamp) {
    SivKey key = siv.e4Key(topicKey, 0);
    try {
      return Messages.protectSymmetric(siv, key, timestamp, PAYLOAD);
    } finally {
      key.destroy();
    }
  }

  private static Refusal refusalOf(Runnable action) {
    try {
      action.run();
    } catch (ProtocolException e) {
      return e.refusal();
    }
    throw new AssertionError("expected a ProtocolException");
  }

  private Refusal refusalOpening(DeviceState state, byte[] message, long now) {
    return refusalOf(() -> admission.open(state, TOPIC, TOPIC_HASH, message, now));
  }

  @Test
  void messageUnderTheTopicKey_opens() {
    byte[] message = sealed(key("topic"), NOW);

    assertThat(admission.open(receiver, TOPIC, TOPIC_HASH, message, NOW)).isEqualTo(PAYLOAD);
  }

  @Test
  void topicWithoutKey_refusedNamingTheTopic() {
    byte[] message = sealed(key("topic"), NOW);

    assertThatThrownBy(() -> admission.open(receiver, "other", Id16.of(new byte[16]), message, NOW))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("no key is held for topic other");
  }

  @Test
  void shorterThanTheOverhead_refused() {
    assertThat(refusalOpening(receiver, new byte[Wire.SK_OVERHEAD - 1], NOW))
        .isEqualTo(Refusal.MESSAGE_TOO_SHORT);
  }

  @Test
  void datedWithinTheClockSkew_opens_beyondIt_refused() {
    assertThat(admission.open(receiver, TOPIC, TOPIC_HASH, sealed(key("topic"), NOW + 60), NOW))
        .isEqualTo(PAYLOAD);
    assertThat(refusalOpening(receiver, sealed(key("topic"), NOW + 61), NOW))
        .isEqualTo(Refusal.TIMESTAMP_IN_FUTURE);
  }

  @Test
  void olderThanTheMaximumAge_refused() {
    assertThat(admission.open(receiver, TOPIC, TOPIC_HASH, sealed(key("topic"), NOW - 600), NOW))
        .isEqualTo(PAYLOAD);
    assertThat(refusalOpening(receiver, sealed(key("topic"), NOW - 601), NOW))
        .isEqualTo(Refusal.TIMESTAMP_TOO_OLD);
  }

  @Test
  void timestampWithTheTopBitSet_isInTheFuture() {
    byte[] message = sealed(key("topic"), NOW);
    message[7] |= (byte) 0x80;

    assertThat(refusalOpening(receiver, message, NOW)).isEqualTo(Refusal.TIMESTAMP_IN_FUTURE);
  }

  @Test
  void alteredMessage_notAuthentic() {
    byte[] message = sealed(key("topic"), NOW);
    message[message.length - 1] ^= 1;

    assertThat(refusalOpening(receiver, message, NOW)).isEqualTo(Refusal.NOT_AUTHENTIC);
  }

  @Test
  void exactCopy_refusedAsReplayed() {
    byte[] message = sealed(key("topic"), NOW);
    admission.open(receiver, TOPIC, TOPIC_HASH, message, NOW);

    assertThat(refusalOpening(receiver, message, NOW)).isEqualTo(Refusal.REPLAYED);
  }

  @Test
  void withoutReplayProtection_anExactCopyOpens() {
    Admission noReplayCache = new Admission(siv, new Admission.Limits(600, 60, 3600, 0));
    byte[] message = sealed(key("topic"), NOW);
    noReplayCache.open(receiver, TOPIC, TOPIC_HASH, message, NOW);

    assertThat(noReplayCache.open(receiver, TOPIC, TOPIC_HASH, message, NOW)).isEqualTo(PAYLOAD);
  }

  @Test
  void previousKey_opensDuringTheKeyTransition_andNotAfter() {
    DeviceState rotated = receiver.withTopicKey(siv, TOPIC_HASH, key("topic 2"), NOW);
    byte[] underOldKey = sealed(key("topic"), NOW + 3600);

    assertThat(admission.open(rotated, TOPIC, TOPIC_HASH, underOldKey, NOW + 3600))
        .isEqualTo(PAYLOAD);
    assertThatThrownBy(
            () ->
                admission.open(
                    rotated, TOPIC, TOPIC_HASH, sealed(key("topic"), NOW + 3601), NOW + 3601))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("transition period has ended");
  }

  @Test
  void publicKey_unknownSender_refused_knownSender_opens() {
    DeviceState sender = TestStates.publicKey(siv, "sender");
    DeviceState receiverPk = TestStates.publicKey(siv, "receiver");
    byte[] message = signed(sender, NOW);

    assertThat(refusalOpening(receiverPk, message, NOW)).isEqualTo(Refusal.SENDER_UNKNOWN);
    DeviceState knowingSender = receiverPk.withPeer(sender.id(), sender.ownPublicKey());
    assertThat(admission.open(knowingSender, TOPIC, TOPIC_HASH, message, NOW)).isEqualTo(PAYLOAD);
  }

  @Test
  void publicKey_alteredSignature_refused() {
    DeviceState sender = TestStates.publicKey(siv, "sender");
    byte[] message = signed(sender, NOW);
    message[message.length - 1] ^= 1;

    assertThat(refusalOpening(sender, message, NOW)).isEqualTo(Refusal.INVALID_SIGNATURE);
  }

  @Test
  void commandTimestamp_checksLengthAndWindowOnly() {
    byte[] anyCommand = sealed(key("not the command key"), NOW);

    assertThat(admission.commandTimestamp(anyCommand, NOW)).isEqualTo(NOW);
    assertThat(refusalOf(() -> admission.commandTimestamp(new byte[23], NOW)))
        .isEqualTo(Refusal.MESSAGE_TOO_SHORT);
    assertThat(refusalOf(() -> admission.commandTimestamp(anyCommand, NOW - 61)))
        .isEqualTo(Refusal.TIMESTAMP_IN_FUTURE);
    assertThat(refusalOf(() -> admission.commandTimestamp(anyCommand, NOW + 601)))
        .isEqualTo(Refusal.TIMESTAMP_TOO_OLD);
  }

  private byte[] signed(DeviceState sender, long timestamp) {
    SivKey key = siv.e4Key(key("topic"), 0);
    try {
      return Messages.protectSigned(siv, key, timestamp, sender.id(), sender.signingKey(), PAYLOAD);
    } finally {
      key.destroy();
    }
  }
}
