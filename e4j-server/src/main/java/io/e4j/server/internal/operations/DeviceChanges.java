package io.e4j.server.internal.operations;

import io.e4j.core.Command;
import io.e4j.core.Commands;
import io.e4j.core.Keys;
import io.e4j.server.BatchItem;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.CreatedDevice;
import io.e4j.server.CryptoMode;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.EventType;
import io.e4j.server.NewDevice;
import io.e4j.server.internal.change.Change;
import io.e4j.server.internal.change.ChangeContext;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.KnownDevice;
import io.e4j.server.internal.store.LinkStore;
import io.e4j.server.internal.store.PublicKeyStore;
import io.e4j.server.internal.store.TopicStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/** The changes of devices: create, remove, new key, reset, resync. */
final class DeviceChanges {
  static final int MAX_BATCH = 1_000;

  /**
   * What a device that was away gets again: commands that took keys away or gave it public keys.
   * Topic keys go as they are now instead of again; a new key of its own (SetIDKey, SetC2Key)
   * cannot be sent again under a key it no longer shares with C2.
   */
  private static final Set<String> SENT_AGAIN_AFTER_ABSENCE =
      Set.of("RemoveTopic", "ResetTopics", "RemovePubKey", "ResetPubKeys", "SetPubKey");

  private final DeviceStore devices;
  private final TopicStore topics;
  private final LinkStore links;
  private final PublicKeyStore publicKeys;
  private final C2Keys c2Keys;
  private final CryptoMode mode;

  DeviceChanges(
      DeviceStore devices,
      TopicStore topics,
      LinkStore links,
      PublicKeyStore publicKeys,
      C2Keys c2Keys,
      CryptoMode mode) {
    this.devices = devices;
    this.topics = topics;
    this.links = links;
    this.publicKeys = publicKeys;
    this.c2Keys = c2Keys;
    this.mode = mode;
  }

  /** Stores a device; replacing one pins its old key into the commands it has yet to get. */
  Change<CreatedDevice> create(NewDevice request) {
    Credential[] credential = {null};
    Change<CreatedDevice> change =
        Change.of(
                "CreateDevice",
                Targets.device(request.device()),
                context -> {
                  DeviceInfo info = store(context, request, credential[0]);
                  return new CreatedDevice(info, Optional.ofNullable(credential[0].generated()));
                })
            .checking(() -> credential[0] = Credential.of(request.credential(), mode))
            .releasing(
                () -> {
                  if (credential[0] != null) {
                    credential[0].erase();
                  }
                });
    return request.replace() ? change.sendingCommands() : change;
  }

  /**
   * Creates 1 to 1,000 devices in one transaction, each created or refused on its own, in request
   * order.
   */
  Change<List<BatchItem<CreatedDevice>>> createAll(List<NewDevice> requests) {
    List<Credential> credentials = new ArrayList<>();
    List<BatchItem<CreatedDevice>> refused = new ArrayList<>();
    Change<List<BatchItem<CreatedDevice>>> change =
        Change.of(
                "CreateDevices",
                requests.size() + " devices",
                context -> {
                  List<BatchItem<CreatedDevice>> results = new ArrayList<>(refused);
                  for (int i = 0; i < requests.size(); i++) {
                    Credential credential = credentials.get(i);
                    if (credential == null) {
                      continue;
                    }
                    try {
                      DeviceInfo info = store(context, requests.get(i), credential);
                      results.add(
                          BatchItem.done(
                              i,
                              new CreatedDevice(
                                  info, Optional.ofNullable(credential.generated()))));
                    } catch (C2Exception e) {
                      results.add(BatchItem.refused(i, e));
                    }
                  }
                  results.sort(java.util.Comparator.comparingInt(BatchItem::index));
                  return results;
                })
            .checking(
                () -> {
                  checkBatch(requests.size());
                  for (int i = 0; i < requests.size(); i++) {
                    try {
                      credentials.add(Credential.of(requests.get(i).credential(), mode));
                    } catch (C2Exception e) {
                      credentials.add(null);
                      refused.add(BatchItem.refused(i, e));
                    }
                  }
                })
            .againOnConflict()
            .releasing(
                () ->
                    credentials.stream()
                        .filter(java.util.Objects::nonNull)
                        .forEach(Credential::erase));
    return requests.stream().anyMatch(NewDevice::replace) ? change.sendingCommands() : change;
  }

  private DeviceInfo store(ChangeContext context, NewDevice request, Credential credential) {
    byte[] commandKey =
        credential.deviceKey() != null
            ? credential.deviceKey().clone()
            : c2Keys.sharedKey(context.handle(), credential.publicKey());
    try {
      DeviceRef ref = request.device();
      byte[] id = ref.idOrDerived();
      String name = ref.name().orElse(null);
      var handle = context.handle();
      boolean exists = devices.exists(handle, id);
      if (exists && !request.replace()) {
        throw new C2Exception(
            Reason.ALREADY_EXISTS, ref + " exists already (ask to replace it to change its key)");
      }
      if (name != null) {
        Optional<byte[]> holder = devices.idOfName(handle, name);
        if (holder.isPresent() && !Arrays.equals(holder.get(), id)) {
          throw new C2Exception(
              Reason.ALREADY_EXISTS,
              "the name '"
                  + name
                  + "' belongs to device "
                  + HexFormat.of().formatHex(holder.get()));
        }
      }
      if (exists) {
        keyChanging(context, id);
        devices.replace(handle, id, name, credential.publicKey(), commandKey, context.now());
      } else {
        devices.insert(handle, id, name, credential.publicKey(), commandKey, context.now());
      }
      DeviceInfo info = devices.info(handle, id);
      context.event(
          Entry.device(
              exists ? EventType.DEVICE_KEY_CHANGED : EventType.DEVICE_CREATED,
              id,
              info.name().orElse(null)));
      return info;
    } finally {
      Arrays.fill(commandKey, (byte) 0);
    }
  }

  /** Forgets a device and cancels its undelivered commands; PK mode: its holders drop its key. */
  Change<Void> remove(DeviceRef ref) {
    return ofDevice(
        "RemoveDevice",
        ref,
        EventType.DEVICE_REMOVED,
        (context, id) -> {
          if (mode == CryptoMode.PUBLIC_KEY) {
            context.outbox().toHoldersOfPublicKey(id, Commands.removePubKey(id));
          }
          context.outbox().cancelUndelivered(id);
          devices.delete(context.handle(), id);
        });
  }

  /**
   * A new random key, sent to the device under its old one; PK mode: a new Ed25519 pair, whose
   * public key goes to the devices holding the old one.
   */
  Change<Void> newKey(DeviceRef ref) {
    return ofDevice(
        "NewDeviceKey",
        ref,
        EventType.DEVICE_KEY_CHANGED,
        (context, id) -> {
          if (mode == CryptoMode.SYMMETRIC_KEY) {
            newSymmetricKey(context, id);
          } else {
            newSigningKey(context, id);
          }
        });
  }

  private void newSymmetricKey(ChangeContext context, byte[] id) {
    byte[] key = Keys.randomKey();
    try {
      context.outbox().toDevice(id, List.of(Commands.setIdKey(key)));
      keyChanging(context, id);
      devices.setCommandKey(context.handle(), id, key, context.now());
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private void newSigningKey(ChangeContext context, byte[] id) {
    byte[] signing = Keys.newEd25519();
    byte[] publicKey = Keys.ed25519Public(signing);
    byte[] commandKey = c2Keys.sharedKey(context.handle(), publicKey);
    try {
      context.outbox().toDevice(id, List.of(Commands.setIdKey(signing)));
      keyChanging(context, id);
      devices.setKeys(context.handle(), id, publicKey, commandKey, context.now());
      context.outbox().toHoldersOfPublicKey(id, Commands.setPubKey(publicKey, id));
    } finally {
      Arrays.fill(signing, (byte) 0);
      Arrays.fill(commandKey, (byte) 0);
    }
  }

  /** Before a device's command key changes: the commands enqueued so far keep the current one. */
  private void keyChanging(ChangeContext context, byte[] id) {
    byte[] key = devices.commandKey(context.handle(), id);
    try {
      context.outbox().keyChanging(id, key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Unlinks the device from every topic and tells it to drop every topic key. */
  Change<Void> reset(DeviceRef ref) {
    return ofDevice(
        "ResetDevice",
        ref,
        EventType.DEVICE_RESET,
        (context, id) -> {
          links.unlinkAll(context.handle(), id);
          context.outbox().toDevice(id, List.of(Commands.resetTopics()));
        });
  }

  /**
   * Sends a device its whole key set again. Under the writer lock, taken first: a rotation beside
   * this waits, or has committed its key.
   */
  Change<Void> resync(DeviceRef ref) {
    return ofDevice(
        "ResyncDevice",
        ref,
        EventType.DEVICE_RESYNCED,
        (context, id) -> context.outbox().toDevice(id, keySetOf(context, id)));
  }

  /**
   * Sends a device what its key report showed it lacks: if {@code ownKeyBehind} (its report came
   * under the key it had before its last key change), that change again under the old key; the
   * current key of each linked topic in {@code topicsBehind} (topic IDs); and RemoveTopic for each
   * topic hash in {@code unlinkedTopics}, which it holds and is no longer linked to.
   */
  Change<Void> catchUp(
      byte[] id, boolean ownKeyBehind, List<byte[]> topicsBehind, List<byte[]> unlinkedTopics) {
    return ofDevice(
        "CatchUpDevice",
        DeviceRef.id(id),
        EventType.DEVICE_RESYNCED,
        (context, deviceId) -> {
          boolean keyAgain = ownKeyBehind && keyChangeAgain(context, deviceId, Instant.EPOCH);
          List<byte[]> commands = new ArrayList<>();
          for (byte[] topicHash : unlinkedTopics) {
            commands.add(new Command.RemoveTopic(topicHash).encode());
          }
          for (byte[] topicId : topicsBehind) {
            byte[] key = topics.key(context.handle(), topicId);
            try {
              commands.add(new Command.SetTopicKey(key, topicId).encode());
            } finally {
              Arrays.fill(key, (byte) 0);
            }
          }
          context.auditDetail(
              (keyAgain ? "reported under its previous key: its key change sent again; " : "")
                  + "reported behind on "
                  + topicsBehind.size()
                  + " linked topic(s), holding "
                  + unlinkedTopics.size()
                  + " unlinked one(s)");
          context.outbox().toDevice(deviceId, commands);
        });
  }

  /**
   * Sends again, under the key the device had before, its last key change the transport took since
   * {@code since}; whether there was one (and a key before it).
   */
  private boolean keyChangeAgain(ChangeContext context, byte[] id, Instant since) {
    Optional<byte[]> previous = devices.previousCommandKey(context.handle(), id);
    if (previous.isEmpty()) {
      return false;
    }
    try {
      return context.outbox().keyChangeAgain(id, previous.get(), since);
    } finally {
      Arrays.fill(previous.get(), (byte) 0);
    }
  }

  /**
   * Sends a device that may have missed commands while it was away (since {@code since}) what it
   * needs, without wiping what it holds: again its key change, if one was sent meanwhile, under the
   * key before it; again, in their order, the commands that removed keys or sent public keys since
   * then; then the current key of every topic it is linked to.
   */
  Change<Void> welcomeBack(byte[] id, Instant since) {
    return ofDevice(
        "CatchUpDevice",
        DeviceRef.id(id),
        EventType.DEVICE_RESYNCED,
        (context, deviceId) -> {
          boolean keyAgain = keyChangeAgain(context, deviceId, since);
          int again = context.outbox().again(deviceId, since, SENT_AGAIN_AFTER_ABSENCE);
          List<byte[]> commands = new ArrayList<>();
          links.forEachTopicKeyOf(
              context.handle(),
              deviceId,
              (topic, key) -> commands.add(Commands.setTopicKey(key, topic)));
          context.auditDetail(
              "subscribed after missing commands since "
                  + since
                  + ": "
                  + (keyAgain ? "its key change again, " : "")
                  + again
                  + " command(s) again, "
                  + commands.size()
                  + " topic key(s)");
          context.outbox().toDevice(deviceId, commands);
        });
  }

  /**
   * A change of one existing device that sends commands: reports {@code event} about the device,
   * then does {@code work} with its ID.
   */
  private Change<Void> ofDevice(
      String action, DeviceRef ref, EventType event, BiConsumer<ChangeContext, byte[]> work) {
    return Change.<Void>of(
            action,
            Targets.device(ref),
            context -> {
              KnownDevice device = devices.find(context.handle(), ref);
              context.event(Entry.device(event, device.id(), device.name()));
              work.accept(context, device.id());
              return null;
            })
        .sendingCommands();
  }

  /** Every command that gives a device its whole key set, from a clean slate. */
  private List<byte[]> keySetOf(ChangeContext context, byte[] id) {
    List<byte[]> commands = new ArrayList<>();
    commands.add(Commands.resetTopics());
    links.forEachTopicKeyOf(
        context.handle(), id, (topic, key) -> commands.add(Commands.setTopicKey(key, topic)));
    if (mode == CryptoMode.PUBLIC_KEY) {
      commands.add(Commands.resetPubKeys());
      publicKeys.forEachHeldBy(
          context.handle(),
          id,
          (subject, publicKey) -> commands.add(Commands.setPubKey(publicKey, subject)));
    }
    return commands;
  }

  static void checkBatch(int size) {
    if (size < 1 || size > MAX_BATCH) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT, "a batch holds 1 to " + MAX_BATCH + " items, not " + size);
    }
  }
}
