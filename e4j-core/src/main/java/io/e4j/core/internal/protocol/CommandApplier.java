package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;

/**
 * Applies the commands C2 sends on a device's control topic (PROTOCOL.md, "Commands"): opens one
 * under the device's command key, reads it, refuses it when it is for the other key mode or was
 * applied already, and gives the state after it. Changes nothing itself: the caller saves and
 * publishes the result, and serialises calls, so that each command is opened with the keys the one
 * before it left.
 *
 * <p>With anti-rollback on, "applied already" is decided from the saved state alone ({@link
 * AppliedCommands}): a command older than the newest one applied is stale, one of the newest second
 * is a replay when its tag was applied in that second. So no command applies twice, across restarts
 * too. With it off, commands apply in any order as on the reference clients, and only the in-memory
 * replay cache (when on) refuses exact copies; the state still records what was applied, so turning
 * anti-rollback on later protects from then on.
 */
public final class CommandApplier {
  private final AesSiv siv;
  private final Admission admission;
  private final boolean rollbackProtection;

  /**
   * @param admission whose replay cache remembers applied commands when anti-rollback is off
   * @param rollbackProtection whether to refuse a command applied already, or older than the newest
   *     one applied
   */
  public CommandApplier(AesSiv siv, Admission admission, boolean rollbackProtection) {
    this.siv = siv;
    this.admission = admission;
    this.rollbackProtection = rollbackProtection;
  }

  /**
   * The state after the command in {@code message}, with the command remembered as applied.
   *
   * @param timestamp the message's, from {@link Admission#commandTimestamp} (which also checked the
   *     message's length and window)
   * @param now the device's time, epoch seconds: when a replaced topic key was replaced
   * @throws ProtocolException with the reason the command was refused; {@code before} is unchanged
   */
  public DeviceState apply(DeviceState before, byte[] message, long timestamp, long now) {
    byte[] plain = new byte[message.length - Wire.SK_OVERHEAD];
    try {
      if (!Messages.open(siv, before.commandKey(), message, Wire.SK_TAG_OFFSET, plain)) {
        throw new ProtocolException(
            Refusal.NOT_AUTHENTIC,
            "command authentication failed: not protected with this device's command key");
      }
      ControlCommand command = ControlCommand.parse(plain);
      Id16 fingerprint = Id16.of(message, Wire.SK_TAG_OFFSET);
      try {
        checkSupported(before, command);
        if (rollbackProtection) {
          checkNotApplied(before.appliedCommands(), timestamp, fingerprint);
        } else {
          admission.admitCommand(before, message, timestamp, now);
        }
        return applied(before, command, now)
            .withAppliedCommands(before.appliedCommands().with(timestamp, fingerprint));
      } finally {
        command.erase();
      }
    } finally {
      Bytes.zero(plain);
    }
  }

  private static void checkSupported(DeviceState state, ControlCommand command) {
    if (command.publicKeyModeOnly() && state.mode() != KeyMode.PUBLIC_KEY) {
      throw new ProtocolException(
          Refusal.UNSUPPORTED_COMMAND,
          command.getClass().getSimpleName()
              + " is a public-key command; this device is "
              + state.mode().description());
    }
  }

  private static void checkNotApplied(AppliedCommands applied, long timestamp, Id16 fingerprint) {
    switch (applied.check(timestamp, fingerprint)) {
      case NEW -> {}
      case OLDER ->
          throw new ProtocolException(
              Refusal.STALE_COMMAND,
              "command dated "
                  + timestamp
                  + " is older than the newest command applied ("
                  + applied.newestTime()
                  + "); refused so an old command cannot undo a newer one");
      case APPLIED ->
          throw new ProtocolException(
              Refusal.REPLAYED, "this command was applied already (same second, same tag)");
      case UNPROVABLE ->
          throw new ProtocolException(
              Refusal.REPLAYED,
              "command dated "
                  + timestamp
                  + " is of the newest command second, whose applied commands "
                  + (applied.fingerprintsKnown()
                      ? "reached the limit of " + AppliedCommands.MAX_FINGERPRINTS
                      : "are unknown (state saved by an older e4j)")
                  + "; refused as it cannot be told apart from one applied");
    }
  }

  private DeviceState applied(DeviceState state, ControlCommand command, long now) {
    if (command instanceof ControlCommand.RemoveTopic removeTopic) {
      return state.withoutTopic(removeTopic.topicHash());
    }
    if (command instanceof ControlCommand.ResetTopics) {
      return state.withoutTopics();
    }
    if (command instanceof ControlCommand.SetIdKey setIdKey) {
      return state.withOwnKey(siv, setIdKey.key());
    }
    if (command instanceof ControlCommand.SetTopicKey setTopicKey) {
      return state.withTopicKey(siv, setTopicKey.topicHash(), setTopicKey.key(), now);
    }
    if (command instanceof ControlCommand.RemovePubKey removePubKey) {
      return state.withoutPeer(removePubKey.id());
    }
    if (command instanceof ControlCommand.ResetPubKeys) {
      return state.withoutPeers();
    }
    if (command instanceof ControlCommand.SetPubKey setPubKey) {
      return state.withPeer(setPubKey.id(), PeerKey.checked(setPubKey.publicKey()));
    }
    ControlCommand.SetC2Key setC2Key = (ControlCommand.SetC2Key) command;
    return state.withC2PublicKey(siv, setC2Key.publicKey());
  }
}
