package io.e4j.core;

import static io.e4j.core.TestDevices.NOW;
import static io.e4j.core.TestDevices.TOPIC;
import static io.e4j.core.TestDevices.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.core.E4Exception.Reason;
import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;
import io.e4j.core.internal.crypto.SivKey;
import io.e4j.core.internal.protocol.Messages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class E4ClientTest {
  private static final byte[] PAYLOAD = "21.5 C".getBytes(StandardCharsets.UTF_8);

  private final MutableClock clock = MutableClock.atEpochSecond(NOW);

  private E4Client symmetric(String name) {
    E4Client client = TestDevices.symmetric(name, clock).build();
    client.setTopicKey(TOPIC, key("topic"));
    return client;
  }

  private E4Client publicKey(String name) {
    E4Client client = TestDevices.publicKey(name, clock).build();
    client.setTopicKey(TOPIC, key("topic"));
    return client;
  }

  private static E4Exception.Reason reasonOf(Runnable action) {
    try {
      action.run();
    } catch (E4Exception e) {
      return e.reason();
    }
    throw new AssertionError("expected an E4Exception");
  }

  @Test
  void symmetric_roundTrip() {
    E4Client sender = symmetric("sender");
    E4Client receiver = symmetric("receiver");

    byte[] message = sender.protect(TOPIC, PAYLOAD);

    assertThat(message).hasSize(24 + PAYLOAD.length);
    assertThat(Bytes.getLong(message, 0)).isEqualTo(NOW);
    assertThat(receiver.unprotect(TOPIC, message)).contains(PAYLOAD);
  }

  @Test
  void publicKey_roundTripNeedsTheSendersPublicKey() {
    E4Client sender = publicKey("sender");
    E4Client receiver = publicKey("receiver");
    byte[] message = sender.protect(TOPIC, PAYLOAD);

    assertThat(reasonOf(() -> receiver.unprotect(TOPIC, message))).isEqualTo(Reason.SENDER_UNKNOWN);
    receiver.addPublicKey(sender.id(), sender.publicKey());

    assertThat(message).hasSize(104 + PAYLOAD.length);
    assertThat(receiver.unprotect(TOPIC, message)).contains(PAYLOAD);
  }

  @Test
  void publicKey_clientReadsItsOwnMessages() {
    E4Client client = publicKey("self");

    assertThat(client.unprotect(TOPIC, client.protect(TOPIC, PAYLOAD))).contains(PAYLOAD);
  }

  @Test
  void publicKey_wrongSenderKeyIsAnInvalidSignature() {
    E4Client sender = publicKey("sender");
    E4Client impostor = publicKey("impostor");
    E4Client receiver = publicKey("receiver");
    receiver.addPublicKey(sender.id(), impostor.publicKey());

    assertThat(reasonOf(() -> receiver.unprotect(TOPIC, sender.protect(TOPIC, PAYLOAD))))
        .isEqualTo(Reason.INVALID_SIGNATURE);
  }

  @Test
  void addPublicKey_rejectsInvalidPointsAndSymmetricClients() {
    E4Client receiver = publicKey("receiver");
    byte[] notOnCurve = Bytes.unhex("02" + "00".repeat(30) + "80");
    byte[] id = Keys.idFromName("peer");

    assertThat(reasonOf(() -> receiver.addPublicKey(id, new byte[31])))
        .isEqualTo(Reason.INVALID_KEY);
    assertThat(reasonOf(() -> receiver.addPublicKey(id, notOnCurve))).isEqualTo(Reason.INVALID_KEY);
    assertThat(reasonOf(() -> symmetric("sym").addPublicKey(id, receiver.publicKey())))
        .isEqualTo(Reason.WRONG_MODE);
  }

  @Test
  void missingTopicKey_isReportedOnBothPaths() {
    E4Client client = symmetric("device");

    assertThat(reasonOf(() -> client.protect("other/topic", PAYLOAD)))
        .isEqualTo(Reason.TOPIC_KEY_MISSING);
    assertThat(reasonOf(() -> client.unprotect("other/topic", new byte[40])))
        .isEqualTo(Reason.TOPIC_KEY_MISSING);
  }

  @Test
  void invalidTopics_areRejected() {
    E4Client client = symmetric("device");

    assertThat(reasonOf(() -> client.protect("", PAYLOAD))).isEqualTo(Reason.INVALID_TOPIC);
    assertThat(reasonOf(() -> client.protect(null, PAYLOAD))).isEqualTo(Reason.INVALID_TOPIC);
    assertThat(reasonOf(() -> client.unprotect(null, new byte[40])))
        .isEqualTo(Reason.INVALID_TOPIC);
    assertThat(reasonOf(() -> client.protect("t".repeat(513), PAYLOAD)))
        .isEqualTo(Reason.INVALID_TOPIC);
    assertThat(reasonOf(() -> client.protect(client.controlTopic(), PAYLOAD)))
        .isEqualTo(Reason.INVALID_TOPIC);
  }

  @Test
  void tooShortMessages_areRejectedPerMode() {
    assertThat(reasonOf(() -> symmetric("sym").unprotect(TOPIC, new byte[23])))
        .isEqualTo(Reason.MESSAGE_TOO_SHORT);
    assertThat(reasonOf(() -> publicKey("pk").unprotect(TOPIC, new byte[103])))
        .isEqualTo(Reason.MESSAGE_TOO_SHORT);
  }

  @Test
  void emptyPayload_roundTrips() {
    E4Client client = symmetric("device");

    assertThat(client.unprotect(TOPIC, client.protect(TOPIC, new byte[0]))).contains(new byte[0]);
  }

  @Test
  void timestampWindow_defaultsToTenMinutesBackAndSixtySecondsAhead() {
    E4Client sender = symmetric("sender");
    byte[] message = sender.protect(TOPIC, PAYLOAD);
    E4Client receiver = symmetric("receiver");

    clock.advance(Duration.ofSeconds(-60));
    assertThat(receiver.unprotect(TOPIC, message)).contains(PAYLOAD);
    clock.advance(Duration.ofSeconds(-1));
    assertThat(reasonOf(() -> receiver.unprotect(TOPIC, message)))
        .isEqualTo(Reason.TIMESTAMP_IN_FUTURE);
    clock.advance(Duration.ofSeconds(61 + 601));
    assertThat(reasonOf(() -> symmetric("late").unprotect(TOPIC, message)))
        .isEqualTo(Reason.TIMESTAMP_TOO_OLD);
  }

  @Test
  void clockSkewZero_rejectsAnyFutureTimestampLikeTheGoClient() {
    byte[] message = symmetric("sender").protect(TOPIC, PAYLOAD);
    E4Client strict = TestDevices.symmetric("strict", clock).clockSkew(Duration.ZERO).build();
    strict.setTopicKey(TOPIC, key("topic"));

    clock.advance(Duration.ofSeconds(-1));

    assertThat(reasonOf(() -> strict.unprotect(TOPIC, message)))
        .isEqualTo(Reason.TIMESTAMP_IN_FUTURE);
  }

  @Test
  void maxMessageAge_isConfigurable() {
    byte[] message = symmetric("sender").protect(TOPIC, PAYLOAD);
    E4Client patient =
        TestDevices.symmetric("patient", clock).maxMessageAge(Duration.ofHours(1)).build();
    patient.setTopicKey(TOPIC, key("topic"));

    clock.advance(Duration.ofMinutes(59));

    assertThat(patient.unprotect(TOPIC, message)).contains(PAYLOAD);
  }

  @Test
  void replayedMessage_isRejected_unlessReplayProtectionIsOff() {
    E4Client sender = symmetric("sender");
    byte[] message = sender.protect(TOPIC, PAYLOAD);
    E4Client receiver = symmetric("receiver");
    E4Client lenient = TestDevices.symmetric("lenient", clock).replayProtection(false).build();
    lenient.setTopicKey(TOPIC, key("topic"));

    assertThat(receiver.unprotect(TOPIC, message)).isPresent();
    assertThat(reasonOf(() -> receiver.unprotect(TOPIC, message))).isEqualTo(Reason.REPLAYED);
    assertThat(lenient.unprotect(TOPIC, message)).isPresent();
    assertThat(lenient.unprotect(TOPIC, message)).isPresent();
  }

  @Test
  void fullReplayCache_refusesMessagesItCanNoLongerVouchFor() {
    E4Client sender = symmetric("sender");
    E4Client receiver = TestDevices.symmetric("receiver", clock).replayCacheSize(4).build();
    receiver.setTopicKey(TOPIC, key("topic"));
    byte[] early = sender.protect(TOPIC, PAYLOAD);
    List<byte[]> later = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clock.advance(Duration.ofSeconds(1));
      later.add(sender.protect(TOPIC, PAYLOAD));
    }

    for (byte[] message : later) {
      assertThat(receiver.unprotect(TOPIC, message)).contains(PAYLOAD);
    }

    assertThat(reasonOf(() -> receiver.unprotect(TOPIC, early))).isEqualTo(Reason.REPLAYED);
    for (byte[] message : later) {
      assertThat(reasonOf(() -> receiver.unprotect(TOPIC, message))).isEqualTo(Reason.REPLAYED);
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(receiver.unprotect(TOPIC, sender.protect(TOPIC, PAYLOAD))).contains(PAYLOAD);
  }

  @Test
  void equalMessagesOnTwoTopicsSharingAKey_areNotReplays() {
    E4Client sender = symmetric("sender");
    sender.setTopicKey("sensors/humidity", key("topic"));
    E4Client receiver = symmetric("receiver");
    receiver.setTopicKey("sensors/humidity", key("topic"));

    assertThat(receiver.unprotect(TOPIC, sender.protect(TOPIC, PAYLOAD))).isPresent();
    assertThat(receiver.unprotect("sensors/humidity", sender.protect("sensors/humidity", PAYLOAD)))
        .isPresent();
  }

  @Test
  void setTopicKeyCommand_isAppliedAndLetsTheDeviceReadTheTopic() {
    E4Client device = TestDevices.symmetric("device", clock).build();
    byte[] message = symmetric("sender").protect(TOPIC, PAYLOAD);
    assertThat(reasonOf(() -> device.unprotect(TOPIC, message)))
        .isEqualTo(Reason.TOPIC_KEY_MISSING);

    Optional<byte[]> result =
        device.unprotect(
            device.controlTopic(),
            command(device, "device", Commands.setTopicKey(key("topic"), TOPIC)));

    assertThat(result).isEmpty();
    assertThat(device.unprotect(TOPIC, message)).contains(PAYLOAD);
  }

  private byte[] command(E4Client device, String name, byte[] command) {
    byte[] commandKey =
        device.mode() == E4Client.Mode.SYMMETRIC
            ? key("client/" + name)
            : TestDevices.publicKeyCommandKey(name);
    return Commands.protect(command, commandKey, clock.instant());
  }

  @Test
  void removeAndResetCommands_forgetTopics() {
    E4Client device = symmetric("device");
    device.setTopicKey("sensors/humidity", key("humidity"));

    device.unprotect(device.controlTopic(), command(device, "device", Commands.removeTopic(TOPIC)));
    assertThat(device.hasTopicKey(TOPIC)).isFalse();
    assertThat(device.hasTopicKey("sensors/humidity")).isTrue();

    clock.advance(Duration.ofSeconds(1));
    device.unprotect(device.controlTopic(), command(device, "device", Commands.resetTopics()));
    assertThat(device.topicHashes()).isEmpty();
  }

  @Test
  void removeTopicOfAnAbsentTopic_succeeds() {
    E4Client device = symmetric("device");

    assertThat(
            device.unprotect(
                device.controlTopic(), command(device, "device", Commands.removeTopic("absent"))))
        .isEmpty();
  }

  @Test
  void setIdKeyCommand_replacesTheSymmetricClientKey() {
    E4Client device = symmetric("device");
    byte[] newKey = key("new client key");

    device.unprotect(device.controlTopic(), command(device, "device", Commands.setIdKey(newKey)));
    clock.advance(Duration.ofSeconds(1));
    byte[] underOldKey = command(device, "device", Commands.resetTopics());
    byte[] underNewKey = Commands.protect(Commands.resetTopics(), newKey, clock.instant());

    assertThat(reasonOf(() -> device.unprotect(device.controlTopic(), underOldKey)))
        .isEqualTo(Reason.NOT_AUTHENTIC);
    assertThat(device.unprotect(device.controlTopic(), underNewKey)).isEmpty();
    assertThat(device.topicHashes()).isEmpty();
  }

  @Test
  void setIdKeyOfTheWrongSizeForTheMode_isAnInvalidKey() {
    E4Client sym = symmetric("device");
    E4Client pk = publicKey("pk");
    byte[] ed25519 = TestDevices.ed25519("other");

    assertThat(
            reasonOf(
                () ->
                    sym.unprotect(
                        sym.controlTopic(), command(sym, "device", Commands.setIdKey(ed25519)))))
        .isEqualTo(Reason.INVALID_KEY);
    assertThat(
            reasonOf(
                () ->
                    pk.unprotect(
                        pk.controlTopic(), command(pk, "pk", Commands.setIdKey(key("short"))))))
        .isEqualTo(Reason.INVALID_KEY);
  }

  @Test
  void publicKeyCommands_manageKeysOnPublicKeyClients() {
    E4Client device = publicKey("pk");
    E4Client peer = publicKey("peer");
    byte[] message = peer.protect(TOPIC, PAYLOAD);

    device.unprotect(
        device.controlTopic(),
        command(device, "pk", Commands.setPubKey(peer.publicKey(), peer.id())));
    assertThat(device.unprotect(TOPIC, message)).contains(PAYLOAD);

    clock.advance(Duration.ofSeconds(1));
    device.unprotect(
        device.controlTopic(), command(device, "pk", Commands.removePubKey(peer.id())));
    assertThat(device.publicKeyIds()).isEmpty();

    device.addPublicKey(peer.id(), peer.publicKey());
    clock.advance(Duration.ofSeconds(1));
    device.unprotect(device.controlTopic(), command(device, "pk", Commands.resetPubKeys()));
    assertThat(device.publicKeyIds()).isEmpty();
  }

  @Test
  void setC2KeyCommand_changesTheCommandKey() {
    E4Client device = publicKey("pk");
    byte[] newC2Private = key("c2 second");
    byte[] newC2Public = Keys.curve25519PublicFromPrivate(newC2Private);
    byte[] devicePublic = Keys.curve25519Public(device.publicKey());

    device.unprotect(device.controlTopic(), command(device, "pk", Commands.setC2Key(newC2Public)));
    clock.advance(Duration.ofSeconds(1));
    byte[] underNewKey =
        Commands.protect(
            Commands.resetTopics(), Keys.sharedKey(newC2Private, devicePublic), clock.instant());

    assertThat(
            reasonOf(
                () ->
                    device.unprotect(
                        device.controlTopic(), command(device, "pk", Commands.resetTopics()))))
        .isEqualTo(Reason.NOT_AUTHENTIC);
    assertThat(device.unprotect(device.controlTopic(), underNewKey)).isEmpty();
  }

  @Test
  void setC2KeyWithALowOrderPoint_isAnInvalidKeyAndChangesNothing() {
    E4Client device = publicKey("pk");

    assertThat(
            reasonOf(
                () ->
                    device.unprotect(
                        device.controlTopic(),
                        command(device, "pk", Commands.setC2Key(new byte[32])))))
        .isEqualTo(Reason.INVALID_KEY);
    clock.advance(Duration.ofSeconds(1));
    assertThat(
            device.unprotect(device.controlTopic(), command(device, "pk", Commands.resetTopics())))
        .isEmpty();
  }

  @Test
  void publicKeyCommandOnASymmetricClient_isUnsupported() {
    E4Client device = symmetric("device");

    assertThat(
            reasonOf(
                () ->
                    device.unprotect(
                        device.controlTopic(), command(device, "device", Commands.resetPubKeys()))))
        .isEqualTo(Reason.UNSUPPORTED_COMMAND);
  }

  @Test
  void malformedCommands_areInvalid() {
    E4Client device = symmetric("device");
    AesSiv siv = new AesSiv();
    SivKey commandKey = siv.e4Key(key("client/device"), 0);
    byte[][] malformed = {
      {}, {0x08}, {0x01, 0x00}, Arrays.copyOf(Commands.setTopicKey(key("t"), TOPIC), 48)
    };

    for (byte[] plain : malformed) {
      byte[] message = Messages.protectSymmetric(siv, commandKey, NOW, plain);
      assertThat(reasonOf(() -> device.unprotect(device.controlTopic(), message)))
          .as("command %s", Bytes.hex(plain))
          .isEqualTo(Reason.INVALID_COMMAND);
    }
    assertThat(device.hasTopicKey(TOPIC)).isTrue();
  }

  @Test
  void commandsProtect_refusesMalformedCommands() {
    assertThat(reasonOf(() -> Commands.protect(new byte[] {0x08}, key("k"), clock.instant())))
        .isEqualTo(Reason.INVALID_COMMAND);
    assertThat(
            reasonOf(() -> Commands.protect(Commands.resetTopics(), new byte[31], Instant.EPOCH)))
        .isEqualTo(Reason.INVALID_KEY);
  }

  @Test
  void olderCommand_isRefusedAsStale_unlessRollbackProtectionIsOff() {
    E4Client device = symmetric("device");
    byte[] oldKey = command(device, "device", Commands.setTopicKey(key("old"), TOPIC));
    clock.advance(Duration.ofSeconds(30));
    byte[] newKey = command(device, "device", Commands.setTopicKey(key("new"), TOPIC));

    device.unprotect(device.controlTopic(), newKey);

    assertThat(reasonOf(() -> device.unprotect(device.controlTopic(), oldKey)))
        .isEqualTo(Reason.STALE_COMMAND);
    E4Client permissive =
        TestDevices.symmetric("device", clock).commandRollbackProtection(false).build();
    permissive.unprotect(permissive.controlTopic(), newKey);
    assertThat(permissive.unprotect(permissive.controlTopic(), oldKey)).isEmpty();
  }

  @Test
  void commandsInTheSameSecond_areAllApplied() {
    E4Client device = TestDevices.symmetric("device", clock).build();

    device.unprotect(
        device.controlTopic(), command(device, "device", Commands.setTopicKey(key("a"), "a")));
    device.unprotect(
        device.controlTopic(), command(device, "device", Commands.setTopicKey(key("b"), "b")));

    assertThat(device.topicHashes()).hasSize(2);
  }

  @Test
  void replayedCommand_isRejected() {
    E4Client device = symmetric("device");
    byte[] reset = command(device, "device", Commands.resetTopics());
    device.unprotect(device.controlTopic(), reset);
    device.setTopicKey(TOPIC, key("topic"));

    assertThat(reasonOf(() -> device.unprotect(device.controlTopic(), reset)))
        .isEqualTo(Reason.REPLAYED);
    assertThat(device.hasTopicKey(TOPIC)).isTrue();
  }

  @Test
  void commandUnderTheWrongKey_isNotAuthentic() {
    E4Client device = symmetric("device");
    byte[] forged = Commands.protect(Commands.resetTopics(), key("guess"), clock.instant());

    assertThat(reasonOf(() -> device.unprotect(device.controlTopic(), forged)))
        .isEqualTo(Reason.NOT_AUTHENTIC);
    assertThat(device.hasTopicKey(TOPIC)).isTrue();
  }

  @Test
  void keyTransition_acceptsThePreviousKeyForAnHourByDefault() {
    E4Client sender = symmetric("sender");
    E4Client receiver = symmetric("receiver");
    receiver.unprotect(
        receiver.controlTopic(),
        command(receiver, "receiver", Commands.setTopicKey(key("rotated"), TOPIC)));

    clock.advance(Duration.ofMinutes(59));
    assertThat(receiver.unprotect(TOPIC, sender.protect(TOPIC, PAYLOAD))).contains(PAYLOAD);

    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(reasonOf(() -> receiver.unprotect(TOPIC, sender.protect(TOPIC, PAYLOAD))))
        .isEqualTo(Reason.NOT_AUTHENTIC);
  }

  @Test
  void keyTransition_endsWhenTheClockGoesBackBeforeTheRotation() {
    E4Client sender = symmetric("sender");
    byte[] underOldKey = sender.protect(TOPIC, PAYLOAD);
    E4Client receiver = symmetric("receiver");
    receiver.setTopicKey(TOPIC, key("rotated"));

    clock.advance(Duration.ofSeconds(-1));

    assertThat(reasonOf(() -> receiver.unprotect(TOPIC, underOldKey)))
        .isEqualTo(Reason.NOT_AUTHENTIC);
  }

  @Test
  void keyTransitionZero_dropsThePreviousKeyAtOnce() {
    E4Client sender = symmetric("sender");
    E4Client receiver =
        TestDevices.symmetric("receiver", clock).keyTransition(Duration.ZERO).build();
    receiver.setTopicKey(TOPIC, key("topic"));
    receiver.setTopicKey(TOPIC, key("rotated"));
    clock.advance(Duration.ofSeconds(1));

    assertThat(reasonOf(() -> receiver.unprotect(TOPIC, sender.protect(TOPIC, PAYLOAD))))
        .isEqualTo(Reason.NOT_AUTHENTIC);
  }

  @Test
  void settingTheSameTopicKeyAgain_keepsTheTransition() {
    E4Client sender = symmetric("sender");
    E4Client receiver = symmetric("receiver");
    receiver.setTopicKey(TOPIC, key("rotated"));
    receiver.setTopicKey(TOPIC, key("rotated"));

    assertThat(receiver.unprotect(TOPIC, sender.protect(TOPIC, PAYLOAD))).contains(PAYLOAD);
  }

  @Test
  void builder_needsACompleteIdentity() {
    assertThat(reasonOf(() -> E4Client.builder().key(key("k")).build()))
        .isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(reasonOf(() -> E4Client.builder().name("n").build()))
        .isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(reasonOf(() -> E4Client.builder().build())).isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(
            reasonOf(
                () -> E4Client.builder().name("n").signingKey(TestDevices.ed25519("n")).build()))
        .isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(reasonOf(() -> E4Client.builder().key(new byte[16]))).isEqualTo(Reason.INVALID_KEY);
    assertThat(reasonOf(() -> E4Client.builder().password("too short")))
        .isEqualTo(Reason.INVALID_KEY);
    assertThat(reasonOf(() -> E4Client.builder().id(new byte[5])))
        .isEqualTo(Reason.INVALID_ARGUMENT);
  }

  @Test
  void builder_rejectsAnEd25519KeyWhosePublicHalfDoesNotMatch() {
    byte[] signingKey = TestDevices.ed25519("n");
    signingKey[40] ^= 1;

    assertThat(reasonOf(() -> E4Client.builder().signingKey(signingKey)))
        .isEqualTo(Reason.INVALID_KEY);
  }

  @Test
  void idAndControlTopic_comeFromTheName() {
    E4Client client = TestDevices.symmetric("sym-client-1", clock).build();

    assertThat(client.id()).isEqualTo(Keys.idFromName("sym-client-1"));
    assertThat(client.controlTopic()).isEqualTo("e4/" + Bytes.hex(client.id()));
    assertThat(client.mode()).isEqualTo(E4Client.Mode.SYMMETRIC);
    assertThat(reasonOf(client::publicKey)).isEqualTo(Reason.WRONG_MODE);
  }

  @Test
  void toString_revealsNoKey() {
    E4Client client = symmetric("device");

    assertThat(client.toString())
        .doesNotContain(Bytes.hex(key("client/device")))
        .doesNotContain(Bytes.hex(key("topic")))
        .contains(Bytes.hex(client.id()));
  }

  @Test
  void closedClient_refusesWork() {
    E4Client client = symmetric("device");

    client.close();

    assertThatThrownBy(() -> client.protect(TOPIC, PAYLOAD))
        .isInstanceOf(IllegalStateException.class);
    assertThat(client.toString()).contains("closed");
  }

  @Test
  void commandsIssuedInThePast_stillApplyWithinTheWindow() {
    E4Client device = TestDevices.symmetric("device", clock).build();
    byte[] protectedCommand =
        Commands.protect(
            Commands.setTopicKey(key("t"), TOPIC),
            key("client/device"),
            Instant.ofEpochSecond(NOW - 599));

    assertThat(device.unprotect(device.controlTopic(), protectedCommand)).isEmpty();
    assertThat(device.hasTopicKey(TOPIC)).isTrue();
  }
}
