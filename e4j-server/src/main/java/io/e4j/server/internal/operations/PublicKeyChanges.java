package io.e4j.server.internal.operations;

import io.e4j.core.Commands;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.CryptoMode;
import io.e4j.server.DeviceRef;
import io.e4j.server.EventType;
import io.e4j.server.internal.change.Change;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.KnownDevice;
import io.e4j.server.internal.store.PublicKeyStore;
import java.util.HexFormat;
import java.util.List;

/** PK mode, the changes of public keys devices hold: send one, remove one, reset all. */
final class PublicKeyChanges {
  private final DeviceStore devices;
  private final PublicKeyStore publicKeys;
  private final CryptoMode mode;

  PublicKeyChanges(DeviceStore devices, PublicKeyStore publicKeys, CryptoMode mode) {
    this.devices = devices;
    this.publicKeys = publicKeys;
    this.mode = mode;
  }

  /**
   * Sends {@code subject}'s public key to {@code holder}. Under the writer lock: the subject's key
   * changes and removal reach every holder, this one too.
   */
  Change<Void> send(DeviceRef subject, DeviceRef holder) {
    return Change.<Void>of(
            "SendPublicKey",
            Targets.pair(Targets.device(subject), Targets.device(holder)),
            context -> {
              byte[] subjectId = devices.find(context.handle(), subject).id();
              KnownDevice found = devices.find(context.handle(), holder);
              byte[] publicKey = devices.publicKey(context.handle(), subjectId).orElseThrow();
              publicKeys.record(context.handle(), found.id(), subjectId, context.now());
              context
                  .outbox()
                  .toDevice(found.id(), List.of(Commands.setPubKey(publicKey, subjectId)));
              context.event(entry(EventType.PUBLIC_KEY_SENT, subjectId, found));
              return null;
            })
        .checking(() -> Modes.requirePublicKey(mode, "sending public keys"))
        .sendingCommands();
  }

  /** Tells {@code holder} to forget {@code subject}'s public key. */
  Change<Void> remove(DeviceRef subject, DeviceRef holder) {
    return Change.<Void>of(
            "RemovePublicKey",
            Targets.pair(Targets.device(subject), Targets.device(holder)),
            context -> {
              byte[] subjectId = devices.find(context.handle(), subject).id();
              KnownDevice found = devices.find(context.handle(), holder);
              if (!publicKeys.remove(context.handle(), found.id(), subjectId)) {
                throw new C2Exception(
                    Reason.NOT_FOUND, holder + " does not hold the public key of " + subject);
              }
              context.outbox().toDevice(found.id(), List.of(Commands.removePubKey(subjectId)));
              context.event(entry(EventType.PUBLIC_KEY_REMOVED, subjectId, found));
              return null;
            })
        .checking(() -> Modes.requirePublicKey(mode, "removing public keys"))
        .sendingCommands();
  }

  /** Tells {@code holder} to forget every public key it holds. */
  Change<Void> reset(DeviceRef holder) {
    return Change.<Void>of(
            "ResetPublicKeys",
            Targets.device(holder),
            context -> {
              KnownDevice found = devices.find(context.handle(), holder);
              publicKeys.removeAll(context.handle(), found.id());
              context.outbox().toDevice(found.id(), List.of(Commands.resetPubKeys()));
              context.event(Entry.device(EventType.PUBLIC_KEYS_RESET, found.id(), found.name()));
              return null;
            })
        .checking(() -> Modes.requirePublicKey(mode, "resetting public keys"))
        .sendingCommands();
  }

  /** An event about the public key of {@code subjectId} held by {@code holder}. */
  private static Entry entry(EventType type, byte[] subjectId, KnownDevice holder) {
    return Entry.device(type, holder.id(), holder.name())
        .withDetail("public key of " + HexFormat.of().formatHex(subjectId));
  }
}
