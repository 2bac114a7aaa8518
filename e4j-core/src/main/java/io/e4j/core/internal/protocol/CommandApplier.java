package io.e4j.core.internal.protocol;

import io.e4j.core.internal.crypto.AesSiv;
import io.e4j.core.internal.crypto.Bytes;

/**
 * Applies the commands C2 sends on a device's control topic (PROTOCOL.md, "Commands"): opens one
 * under the device's command key, reads it, refuses it when it is for the other key mode, older
 * than the newest command applied (anti-rollback, when on) or a replay, and gives the state after
 * it. Changes nothing itself: the caller saves and publishes the result, and serialises calls, so
 * that each command is opened with the keys the one before it left.
 */
public final class CommandApplier {
  private final AesSiv siv;
  private final Admission admission;
  private final boolean rollbackProtection;

  /**
   * @param admission whose replay cache remembers applied commands
   * @param rollbackProtection whether to refuse a command older than the newest one applied
   */
  public CommandApplier(AesSiv siv, Admission admission, boolean rollbackProtection) {
    this.siv = siv;
    this.admission = admission;
    this.rollbackProtection = rollbackProtection;
  }

  /**
   * The state after the command in {@code message}, its newest command time updated.
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
      try {
        checkSupported(before, command);
        checkNotStale(before, timestamp);
        admission.admitCommand(before, message, timestamp, now);
        return applied(before, command, now)
            .withLastCommandTime(Math.max(timestamp, before.lastCommandTime()));
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

  private void checkNotStale(DeviceState state, long timestamp) {
    if (rollbackProtection && timestamp < state.lastCommandTime()) {
      throw new ProtocolException(
          Refusal.STALE_COMMAND,
          "command dated "
              + timestamp
              + " is older than the newest command applied ("
              + state.lastCommandTime()
              + "); refused so an old command cannot undo a newer one");
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
