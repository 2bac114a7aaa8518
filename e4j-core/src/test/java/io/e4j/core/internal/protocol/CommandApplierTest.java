package io.e4j.core.internal.protocol;

import static io.e4j.core.internal.protocol.TestStates.NOW;
import static io.e4j.core.internal.protocol.TestStates.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.SivKey;
import org.junit.jupiter.api.Test;

class CommandApplierTest {
  private static final Id16 OTHER_TOPIC = Id16.of(Names.topicHash("other"));

  private final AesSiv siv = new AesSiv();
  private final Admission admission = new Admission(siv, new Admission.Limits(600, 60, 3600, 1000));
  private final CommandApplier applier = new CommandApplier(siv, admission, true);
  private final DeviceState device = TestStates.symmetric(siv, "device");

  private static byte[] setTopicKey(byte[] key, Id16 topicHash) {
    return Bytes.concat(new byte[] {0x03}, key, topicHash.toBytes());
  }

  /** {@code command} protected under the device's client key, dated {@code timestamp}. */
  private byte[] sealed(byte[] command, long timestamp) {
    SivKey key = siv.e4Key(key("client/device"), 0);
    try {
      return Messages.protectSymmetric(siv, key, timestamp, command);
    } finally {
      key.destroy();
    }
  }

  private DeviceState apply(DeviceState before, byte[] message, long now) {
    return applier.apply(before, message, admission.commandTimestamp(message, now), now);
  }

  private Refusal refusalApplying(DeviceState before, byte[] message, long now) {
    try {
      apply(before, message, now);
    } catch (ProtocolException e) {
      return e.refusal();
    }
    throw new AssertionError("expected a ProtocolException");
  }

  @Test
  void setTopicKey_givesAStateWithTheKey_andLeavesTheOldStateAlone() {
    DeviceState after = apply(device, sealed(setTopicKey(key("other"), OTHER_TOPIC), NOW), NOW);

    assertThat(after.topics()).containsKey(OTHER_TOPIC);
    assertThat(after.lastCommandTime()).isEqualTo(NOW);
    assertThat(device.topics()).doesNotContainKey(OTHER_TOPIC);
    assertThat(device.lastCommandTime()).isZero();
  }

  @Test
  void resetTopics_forgetsEveryTopic() {
    DeviceState after = apply(device, sealed(new byte[] {0x01}, NOW), NOW);

    assertThat(after.topics()).isEmpty();
  }

  @Test
  void commandUnderAnotherKey_notAuthentic() {
    SivKey wrongKey = siv.e4Key(key("client/someone else"), 0);
    byte[] message =
        Messages.protectSymmetric(siv, wrongKey, NOW, setTopicKey(key("other"), OTHER_TOPIC));

    assertThatThrownBy(() -> apply(device, message, NOW))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("command authentication failed: not protected with this device's command key");
  }

  @Test
  void unknownCode_invalidCommand() {
    assertThat(refusalApplying(device, sealed(new byte[] {0x08}, NOW), NOW))
        .isEqualTo(Refusal.INVALID_COMMAND);
  }

  @Test
  void publicKeyCommand_onASymmetricDevice_unsupported() {
    assertThatThrownBy(() -> apply(device, sealed(new byte[] {0x05}, NOW), NOW))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("ResetPubKeys is a public-key command; this device is symmetric-key");
  }

  @Test
  void commandOlderThanTheNewestApplied_refusedAsStale() {
    DeviceState after = apply(device, sealed(new byte[] {0x01}, NOW), NOW);

    assertThat(refusalApplying(after, sealed(new byte[] {0x01}, NOW - 1), NOW))
        .isEqualTo(Refusal.STALE_COMMAND);
  }

  @Test
  void withoutRollbackProtection_anOlderCommandApplies_andTheNewestTimeStays() {
    CommandApplier permissive = new CommandApplier(siv, admission, false);
    byte[] newer = sealed(new byte[] {0x01}, NOW);
    byte[] older = sealed(setTopicKey(key("other"), OTHER_TOPIC), NOW - 1);
    DeviceState afterNewer =
        permissive.apply(device, newer, admission.commandTimestamp(newer, NOW), NOW);

    DeviceState afterOlder =
        permissive.apply(afterNewer, older, admission.commandTimestamp(older, NOW), NOW);

    assertThat(afterOlder.topics()).containsKey(OTHER_TOPIC);
    assertThat(afterOlder.lastCommandTime()).isEqualTo(NOW);
  }

  @Test
  void sameCommandTwice_refusedAsReplayed() {
    byte[] message = sealed(new byte[] {0x01}, NOW);
    DeviceState after = apply(device, message, NOW);

    assertThat(refusalApplying(after, message, NOW)).isEqualTo(Refusal.REPLAYED);
  }

  @Test
  void sameCommandTwice_refusedFromTheStateAlone_withoutAReplayCache() {
    Admission noCache = new Admission(siv, new Admission.Limits(600, 60, 3600, 0));
    CommandApplier applier = new CommandApplier(siv, noCache, true);
    byte[] reset = sealed(new byte[] {0x01}, NOW);
    byte[] setKey = sealed(setTopicKey(key("other"), OTHER_TOPIC), NOW);
    DeviceState afterReset = applier.apply(device, reset, NOW, NOW);
    DeviceState afterBoth = applier.apply(afterReset, setKey, NOW, NOW);

    assertThatThrownBy(() -> applier.apply(afterBoth, reset, NOW, NOW))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.REPLAYED));
    assertThat(afterBoth.appliedCommands().count()).isEqualTo(2);
    assertThat(afterBoth.topics()).containsKey(OTHER_TOPIC);
  }

  @Test
  void aCommandOfTheNewestSecond_thatWasNotApplied_applies() {
    DeviceState afterReset = apply(device, sealed(new byte[] {0x01}, NOW), NOW);

    DeviceState after =
        apply(afterReset, sealed(setTopicKey(key("other"), OTHER_TOPIC), NOW), NOW + 1);

    assertThat(after.topics()).containsKey(OTHER_TOPIC);
    assertThat(after.lastCommandTime()).isEqualTo(NOW);
  }

  @Test
  void aFullSecond_refusesItsNextCommand_andTheNextSecondApplies() {
    Id16[] tags = new Id16[AppliedCommands.MAX_FINGERPRINTS];
    for (int i = 0; i < tags.length; i++) {
      tags[i] = new Id16(0, i);
    }
    DeviceState full = device.withAppliedCommands(AppliedCommands.of(NOW, tags, true));

    assertThatThrownBy(() -> apply(full, sealed(new byte[] {0x01}, NOW), NOW))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("limit of 65536");
    assertThat(apply(full, sealed(new byte[] {0x01}, NOW + 1), NOW + 1).topics()).isEmpty();
  }

  @Test
  void aStateThatKnowsOnlyItsNewestSecond_refusesThatSecond_andAppliesTheNext() {
    DeviceState fromVersion1 = device.withAppliedCommands(AppliedCommands.withoutFingerprints(NOW));

    assertThat(refusalApplying(fromVersion1, sealed(new byte[] {0x01}, NOW), NOW))
        .isEqualTo(Refusal.REPLAYED);
    assertThat(refusalApplying(fromVersion1, sealed(new byte[] {0x01}, NOW - 1), NOW))
        .isEqualTo(Refusal.STALE_COMMAND);
    assertThat(apply(fromVersion1, sealed(new byte[] {0x01}, NOW + 1), NOW + 1).topics()).isEmpty();
  }

  @Test
  void withoutRollbackProtection_aCommandOfTheNewestSecondAppliesAgain_onceTheCacheIsGone() {
    Admission noCache = new Admission(siv, new Admission.Limits(600, 60, 3600, 0));
    CommandApplier permissive = new CommandApplier(siv, noCache, false);
    byte[] setKey = sealed(setTopicKey(key("other"), OTHER_TOPIC), NOW);
    byte[] reset = sealed(new byte[] {0x01}, NOW);
    DeviceState after =
        permissive.apply(permissive.apply(device, setKey, NOW, NOW), reset, NOW, NOW);

    DeviceState replayed = permissive.apply(after, setKey, NOW, NOW);

    assertThat(replayed.topics()).containsKey(OTHER_TOPIC);
    assertThat(replayed.appliedCommands().count()).isEqualTo(2);
  }
}
