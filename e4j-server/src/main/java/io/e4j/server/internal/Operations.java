package io.e4j.server.internal;

import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import io.e4j.core.Keys;
import io.e4j.server.AuditRecord;
import io.e4j.server.BatchItem;
import io.e4j.server.C2Event;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.C2Service;
import io.e4j.server.CreatedDevice;
import io.e4j.server.CryptoMode;
import io.e4j.server.Delivery;
import io.e4j.server.DeviceCredential;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.EventType;
import io.e4j.server.NewDevice;
import io.e4j.server.Page;
import io.e4j.server.TopicInfo;
import io.e4j.server.UnprotectedMessage;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.outbox.Deliveries;
import io.e4j.server.internal.outbox.OutboxWriter;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.Sql;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * {@link C2Service} on the key store, the vault and the outbox. Every mutating call records itself
 * in the audit log and its changes in the event log, in the transaction that makes them; a call
 * refused is recorded in the audit log on its own.
 */
public final class Operations implements C2Service {
  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_PAGE = 1_000;
  private static final int MAX_BATCH = 1_000;

  private final Database database;
  private final Vault vault;
  private final OutboxWriter outbox;
  private final Journal journal;
  private final Clock clock;
  private final CryptoMode mode;
  private final Runnable commandsEnqueued;
  private final Caller caller;

  public Operations(
      Database database,
      Vault vault,
      OutboxWriter outbox,
      Journal journal,
      Clock clock,
      CryptoMode mode,
      Runnable commandsEnqueued) {
    this(database, vault, outbox, journal, clock, mode, commandsEnqueued, Caller.LOCAL);
  }

  private Operations(
      Database database,
      Vault vault,
      OutboxWriter outbox,
      Journal journal,
      Clock clock,
      CryptoMode mode,
      Runnable commandsEnqueued,
      Caller caller) {
    this.database = database;
    this.vault = vault;
    this.outbox = outbox;
    this.journal = journal;
    this.clock = clock;
    this.mode = mode;
    this.commandsEnqueued = commandsEnqueued;
    this.caller = caller;
  }

  /** The same operations, recorded in the logs as {@code caller}'s. */
  public Operations actingAs(Caller caller) {
    return new Operations(database, vault, outbox, journal, clock, mode, commandsEnqueued, caller);
  }

  @Override
  public CryptoMode mode() {
    return mode;
  }

  // --- devices --------------------------------------------------------------------------------

  @Override
  public CreatedDevice createDevice(NewDevice request) {
    return audited(
        "CreateDevice",
        describe(request.device()),
        () -> {
          Credential credential = credential(request);
          try {
            DeviceInfo info =
                commit(
                    "CreateDevice",
                    describe(request.device()),
                    (handle, events) -> store(handle, request, credential, events));
            return new CreatedDevice(info, Optional.ofNullable(credential.generated()));
          } finally {
            credential.erase();
          }
        });
  }

  @Override
  public List<BatchItem<CreatedDevice>> createDevices(List<NewDevice> requests) {
    checkBatch(requests.size());
    return audited(
        "CreateDevices",
        requests.size() + " devices",
        () -> {
          List<BatchItem<CreatedDevice>> results = new ArrayList<>();
          List<Integer> valid = new ArrayList<>();
          List<Credential> credentials = new ArrayList<>();
          for (int i = 0; i < requests.size(); i++) {
            try {
              credentials.add(credential(requests.get(i)));
              valid.add(i);
            } catch (C2Exception e) {
              results.add(BatchItem.refused(i, e));
            }
          }
          try {
            results.addAll(storeAll(requests, valid, credentials));
          } finally {
            credentials.forEach(Credential::erase);
          }
          results.sort(Comparator.comparingInt(BatchItem::index));
          return results;
        });
  }

  /**
   * Stores the valid devices in one transaction, each refused on its own; when the transaction
   * itself fails (a device created by a concurrent call between check and insert), one transaction
   * per device.
   */
  private List<BatchItem<CreatedDevice>> storeAll(
      List<NewDevice> requests, List<Integer> valid, List<Credential> credentials) {
    String target = requests.size() + " devices";
    try {
      return commit(
          "CreateDevices",
          target,
          (handle, events) -> {
            List<BatchItem<CreatedDevice>> stored = new ArrayList<>();
            for (int i = 0; i < valid.size(); i++) {
              stored.add(storeOne(handle, valid.get(i), requests, credentials.get(i), events));
            }
            return stored;
          });
    } catch (C2Exception e) {
      List<BatchItem<CreatedDevice>> stored = new ArrayList<>();
      for (int i = 0; i < valid.size(); i++) {
        int index = valid.get(i);
        Credential credential = credentials.get(i);
        stored.add(
            commit(
                "CreateDevices",
                describe(requests.get(index).device()),
                (handle, events) -> storeOne(handle, index, requests, credential, events)));
      }
      return stored;
    }
  }

  private BatchItem<CreatedDevice> storeOne(
      Handle handle,
      int index,
      List<NewDevice> requests,
      Credential credential,
      List<Entry> events) {
    try {
      DeviceInfo info = store(handle, requests.get(index), credential, events);
      return BatchItem.done(
          index, new CreatedDevice(info, Optional.ofNullable(credential.generated())));
    } catch (C2Exception e) {
      return BatchItem.refused(index, e);
    }
  }

  /**
   * What a device is keyed with: its command key in SK mode, its Ed25519 public key in PK mode, and
   * the key C2 generated, if it did.
   */
  private record Credential(byte[] deviceKey, byte[] publicKey, byte[] generated) {
    void erase() {
      if (deviceKey != null) {
        Arrays.fill(deviceKey, (byte) 0);
      }
    }
  }

  private Credential credential(NewDevice request) {
    DeviceCredential credential = request.credential();
    if (mode == CryptoMode.SYMMETRIC_KEY) {
      if (credential instanceof DeviceCredential.SymmetricKey key) {
        return new Credential(key.key(), null, null);
      } else if (credential instanceof DeviceCredential.Password password) {
        return new Credential(Keys.symmetricKeyFromPassword(password.password()), null, null);
      } else if (credential instanceof DeviceCredential.Generate) {
        byte[] key = Keys.randomKey();
        return new Credential(key, null, key.clone());
      }
      throw wrongMode("a device public key", CryptoMode.PUBLIC_KEY);
    }
    if (credential instanceof DeviceCredential.PublicKey key) {
      return new Credential(null, key.ed25519Public(), null);
    } else if (credential instanceof DeviceCredential.Password password) {
      byte[] signing = Keys.ed25519FromPassword(password.password());
      try {
        return new Credential(null, Keys.ed25519Public(signing), null);
      } finally {
        Arrays.fill(signing, (byte) 0);
      }
    } else if (credential instanceof DeviceCredential.Generate) {
      byte[] signing = Keys.newEd25519();
      return new Credential(null, Keys.ed25519Public(signing), signing);
    }
    throw wrongMode("a device symmetric key", CryptoMode.SYMMETRIC_KEY);
  }

  private DeviceInfo store(
      Handle handle, NewDevice request, Credential credential, List<Entry> events) {
    if (request.replace()) {
      // Replacing pins the old key into the device's undelivered commands.
      outbox.lock(handle);
    }
    byte[] commandKey =
        credential.deviceKey() != null
            ? credential.deviceKey().clone()
            : sharedKey(handle, credential.publicKey());
    try {
      return storeDevice(handle, request, credential.publicKey(), commandKey, events);
    } finally {
      Arrays.fill(commandKey, (byte) 0);
    }
  }

  private DeviceInfo storeDevice(
      Handle handle, NewDevice request, byte[] publicKey, byte[] commandKey, List<Entry> events) {
    DeviceRef ref = request.device();
    byte[] id = ref.idOrDerived();
    OffsetDateTime now = Sql.at(clock.instant());
    byte[] sealed = vault.seal(commandKey, SealedColumn.DEVICE_KEY.label(id));
    String name = ref.name().orElse(null);
    boolean exists = exists(handle, "devices", id);
    if (exists && !request.replace()) {
      throw new C2Exception(
          Reason.ALREADY_EXISTS, ref + " exists already (ask to replace it to change its key)");
    }
    if (name != null) {
      Optional<byte[]> holder =
          handle
              .createQuery("SELECT id FROM devices WHERE name = ?")
              .bind(0, name)
              .mapTo(byte[].class)
              .findFirst();
      if (holder.isPresent() && !Arrays.equals(holder.get(), id)) {
        throw new C2Exception(
            Reason.ALREADY_EXISTS,
            "the name '" + name + "' belongs to device " + HEX.formatHex(holder.get()));
      }
    }
    if (exists) {
      pinCommandKey(handle, id);
      handle.execute(
          "UPDATE devices SET name = COALESCE(?, name), public_key = ?, command_key = ?,"
              + " updated_at = ? WHERE id = ?",
          name,
          publicKey,
          sealed,
          now,
          id);
    } else {
      handle.execute(
          "INSERT INTO devices (id, name, public_key, command_key, created_at, updated_at)"
              + " VALUES (?, ?, ?, ?, ?, ?)",
          id,
          name,
          publicKey,
          sealed,
          now,
          now);
    }
    DeviceInfo info = deviceInfo(handle, id);
    events.add(
        Entry.device(
            exists ? EventType.DEVICE_KEY_CHANGED : EventType.DEVICE_CREATED,
            id,
            info.name().orElse(null)));
    return info;
  }

  @Override
  public void removeDevice(DeviceRef ref) {
    boolean enqueued =
        audited(
            "RemoveDevice",
            describe(ref),
            () ->
                commit(
                    "RemoveDevice",
                    describe(ref),
                    (handle, events) -> {
                      outbox.lock(handle);
                      Found device = found(handle, ref);
                      byte[] id = device.id();
                      events.add(Entry.device(EventType.DEVICE_REMOVED, id, device.name()));
                      long told = 0;
                      if (mode == CryptoMode.PUBLIC_KEY) {
                        told = outbox.toHoldersOfPublicKey(handle, id, Commands.removePubKey(id));
                      }
                      outbox.cancelUndelivered(handle, id);
                      handle.execute("DELETE FROM devices WHERE id = ?", (Object) id);
                      return told > 0;
                    }));
    if (enqueued) {
      commandsEnqueued.run();
    }
  }

  @Override
  public DeviceInfo device(DeviceRef ref) {
    return database.read(handle -> deviceInfo(handle, deviceId(handle, ref)));
  }

  /**
   * Named devices in name order, then (without a prefix) the devices without a name, in ID order.
   * The cursor says which part it is in: {@code n} and the name's UTF-8 bytes in hex, or {@code i}
   * and the ID.
   */
  @Override
  public Page<DeviceInfo> devices(String namePrefix, String cursor, int limit) {
    checkLimit(limit);
    String prefix = namePrefix == null ? "" : namePrefix;
    boolean byId = cursor != null && cursor.startsWith("i");
    byte[] after = cursorBytes(cursor == null || cursor.isEmpty() ? "" : cursor.substring(1));
    return database.read(
        handle -> {
          List<DeviceInfo> rows = new ArrayList<>();
          if (!byId) {
            rows.addAll(
                handle
                    .createQuery(
                        "SELECT id, name, public_key, created_at, updated_at FROM devices"
                            + " WHERE name > :after"
                            + (prefix.isEmpty() ? "" : " AND name LIKE :prefix ESCAPE '\\'")
                            + " ORDER BY name LIMIT :limit")
                    .bind("after", new String(after, StandardCharsets.UTF_8))
                    .bind("prefix", Sql.startsWith(prefix))
                    .bind("limit", limit + 1)
                    .map((rs, ctx) -> deviceInfo(rs))
                    .list());
          }
          if (rows.size() <= limit && prefix.isEmpty()) {
            rows.addAll(
                handle
                    .createQuery(
                        "SELECT id, name, public_key, created_at, updated_at FROM devices"
                            + " WHERE name IS NULL AND id > :after ORDER BY id LIMIT :limit")
                    .bind("after", byId ? after : new byte[0])
                    .bind("limit", limit + 1 - rows.size())
                    .map((rs, ctx) -> deviceInfo(rs))
                    .list());
          }
          return page(
              rows,
              limit,
              device ->
                  device
                      .name()
                      .map(name -> "n" + HEX.formatHex(name.getBytes(StandardCharsets.UTF_8)))
                      .orElseGet(() -> "i" + device.id()));
        });
  }

  @Override
  public long deviceCount() {
    return database.read(
        handle -> handle.createQuery("SELECT COUNT(*) FROM devices").mapTo(Long.class).one());
  }

  @Override
  public void newDeviceKey(DeviceRef ref) {
    audited(
        "NewDeviceKey",
        describe(ref),
        () ->
            commit(
                "NewDeviceKey",
                describe(ref),
                (handle, events) -> {
                  outbox.lock(handle);
                  Found device = found(handle, ref);
                  byte[] id = device.id();
                  events.add(Entry.device(EventType.DEVICE_KEY_CHANGED, id, device.name()));
                  changeDeviceKey(handle, id);
                  return null;
                }));
    commandsEnqueued.run();
  }

  private void changeDeviceKey(Handle handle, byte[] id) {
    OffsetDateTime now = Sql.at(clock.instant());
    if (mode == CryptoMode.SYMMETRIC_KEY) {
      byte[] key = Keys.randomKey();
      try {
        outbox.toDevice(handle, id, List.of(Commands.setIdKey(key)));
        pinCommandKey(handle, id);
        handle.execute(
            "UPDATE devices SET command_key = ?, updated_at = ? WHERE id = ?",
            vault.seal(key, SealedColumn.DEVICE_KEY.label(id)),
            now,
            id);
      } finally {
        Arrays.fill(key, (byte) 0);
      }
      return;
    }
    byte[] signing = Keys.newEd25519();
    byte[] publicKey = Keys.ed25519Public(signing);
    byte[] commandKey = sharedKey(handle, publicKey);
    try {
      outbox.toDevice(handle, id, List.of(Commands.setIdKey(signing)));
      pinCommandKey(handle, id);
      handle.execute(
          "UPDATE devices SET public_key = ?, command_key = ?, updated_at = ? WHERE id = ?",
          publicKey,
          vault.seal(commandKey, SealedColumn.DEVICE_KEY.label(id)),
          now,
          id);
      outbox.toHoldersOfPublicKey(handle, id, Commands.setPubKey(publicKey, id));
    } finally {
      Arrays.fill(signing, (byte) 0);
      Arrays.fill(commandKey, (byte) 0);
    }
  }

  @Override
  public void resetDevice(DeviceRef ref) {
    audited(
        "ResetDevice",
        describe(ref),
        () ->
            commit(
                "ResetDevice",
                describe(ref),
                (handle, events) -> {
                  outbox.lock(handle);
                  Found device = found(handle, ref);
                  byte[] id = device.id();
                  events.add(Entry.device(EventType.DEVICE_RESET, id, device.name()));
                  handle.execute("DELETE FROM device_topics WHERE device_id = ?", (Object) id);
                  outbox.toDevice(handle, id, List.of(Commands.resetTopics()));
                  return null;
                }));
    commandsEnqueued.run();
  }

  @Override
  public void resyncDevice(DeviceRef ref) {
    audited(
        "ResyncDevice",
        describe(ref),
        () ->
            commit(
                "ResyncDevice",
                describe(ref),
                (handle, events) -> {
                  // Locked first: a rotation running beside this waits, or has committed its key.
                  outbox.lock(handle);
                  Found device = found(handle, ref);
                  byte[] id = device.id();
                  events.add(Entry.device(EventType.DEVICE_RESYNCED, id, device.name()));
                  outbox.toDevice(handle, id, keySetOf(handle, id));
                  return null;
                }));
    commandsEnqueued.run();
  }

  /** Every command that gives a device its whole key set, from a clean slate. */
  private List<byte[]> keySetOf(Handle handle, byte[] id) {
    List<byte[]> commands = new ArrayList<>();
    commands.add(Commands.resetTopics());
    handle
        .createQuery(
            "SELECT t.id, t.name, t.topic_key FROM topics t JOIN device_topics l"
                + " ON l.topic_id = t.id WHERE l.device_id = ? ORDER BY t.name")
        .bind(0, id)
        .map(
            (rs, ctx) -> {
              byte[] key = topicKey(rs);
              try {
                return Commands.setTopicKey(key, rs.getString(2));
              } finally {
                Arrays.fill(key, (byte) 0);
              }
            })
        .forEach(commands::add);
    if (mode == CryptoMode.PUBLIC_KEY) {
      commands.add(Commands.resetPubKeys());
      handle
          .createQuery(
              "SELECT d.id, d.public_key FROM devices d JOIN device_public_keys p"
                  + " ON p.subject_id = d.id WHERE p.holder_id = ? ORDER BY d.id")
          .bind(0, id)
          .map((rs, ctx) -> Commands.setPubKey(rs.getBytes(2), rs.getBytes(1)))
          .forEach(commands::add);
    }
    return commands;
  }

  // --- topics ---------------------------------------------------------------------------------

  @Override
  public TopicInfo createTopic(String topic) {
    return audited(
        "CreateTopic",
        topic,
        () -> {
          Validation.topic(topic);
          byte[] key = Keys.randomKey();
          try {
            return commit(
                "CreateTopic",
                topic,
                (handle, events) -> {
                  byte[] id = Keys.topicHash(topic);
                  if (exists(handle, "topics", id)) {
                    throw new C2Exception(
                        Reason.ALREADY_EXISTS, "topic '" + topic + "' exists already");
                  }
                  OffsetDateTime now = Sql.at(clock.instant());
                  handle.execute(
                      "INSERT INTO topics (id, name, topic_key, key_version, created_at,"
                          + " rotated_at) VALUES (?, ?, ?, 1, ?, ?)",
                      id,
                      topic,
                      vault.seal(key, SealedColumn.TOPIC_KEY.label(id)),
                      now,
                      now);
                  events.add(Entry.topic(EventType.TOPIC_CREATED, topic));
                  return topicInfo(handle, topic);
                });
          } finally {
            Arrays.fill(key, (byte) 0);
          }
        });
  }

  @Override
  public void removeTopic(String topic) {
    audited(
        "RemoveTopic",
        topic,
        () -> {
          Validation.topic(topic);
          return commit(
              "RemoveTopic",
              topic,
              (handle, events) -> {
                outbox.lock(handle);
                byte[] id = lockTopic(handle, topic);
                int told = outbox.toDevicesLinkedTo(handle, id, Commands.removeTopic(topic));
                handle.execute("DELETE FROM topics WHERE id = ?", (Object) id);
                events.add(Entry.topic(EventType.TOPIC_REMOVED, topic).withDeviceCount(told));
                return null;
              });
        });
    commandsEnqueued.run();
  }

  @Override
  public TopicInfo topic(String topic) {
    Validation.topic(topic);
    return database.read(handle -> topicInfo(handle, topic));
  }

  @Override
  public Page<TopicInfo> topics(String namePrefix, String cursor, int limit) {
    checkLimit(limit);
    String after = new String(cursorBytes(cursor), StandardCharsets.UTF_8);
    String prefix = namePrefix == null ? "" : namePrefix;
    return database.read(
        handle ->
            topicPage(
                handle,
                "FROM topics t WHERE "
                    + (prefix.isEmpty() ? "TRUE" : "t.name LIKE :prefix ESCAPE '\\'"),
                Map.of("prefix", Sql.startsWith(prefix)),
                after,
                limit));
  }

  @Override
  public long topicCount() {
    return database.read(
        handle -> handle.createQuery("SELECT COUNT(*) FROM topics").mapTo(Long.class).one());
  }

  @Override
  public TopicInfo rotateTopicKey(String topic) {
    TopicInfo rotated =
        audited(
            "RotateTopic",
            topic,
            () -> {
              Validation.topic(topic);
              byte[] key = Keys.randomKey();
              try {
                return commit(
                    "RotateTopic",
                    topic,
                    (handle, events) -> {
                      outbox.lock(handle);
                      byte[] id = lockTopic(handle, topic);
                      handle.execute(
                          "UPDATE topics SET topic_key = ?, key_version = key_version + 1,"
                              + " rotated_at = ? WHERE id = ?",
                          vault.seal(key, SealedColumn.TOPIC_KEY.label(id)),
                          Sql.at(clock.instant()),
                          id);
                      outbox.rotation(handle, id, Commands.setTopicKey(key, topic));
                      TopicInfo info = topicInfo(handle, topic);
                      events.add(
                          Entry.topic(EventType.TOPIC_ROTATED, topic)
                              .withDetail("key version " + info.keyVersion()));
                      return info;
                    });
              } finally {
                Arrays.fill(key, (byte) 0);
              }
            });
    commandsEnqueued.run();
    return rotated;
  }

  // --- links ----------------------------------------------------------------------------------

  @Override
  public void link(DeviceRef ref, String topic) {
    audited(
        "Link",
        describe(ref) + " -> " + topic,
        () -> {
          Validation.topic(topic);
          return commit(
              "Link",
              describe(ref) + " -> " + topic,
              (handle, events) -> linkEach(handle, List.of(ref), topic, events, true));
        });
    commandsEnqueued.run();
  }

  @Override
  public List<BatchItem<String>> linkAll(List<DeviceRef> refs, String topic) {
    checkBatch(refs.size());
    List<BatchItem<String>> linked =
        audited(
            "LinkDevices",
            refs.size() + " devices -> " + topic,
            () -> {
              Validation.topic(topic);
              return commit(
                  "LinkDevices",
                  refs.size() + " devices -> " + topic,
                  (handle, events) -> linkEach(handle, refs, topic, events, false));
            });
    commandsEnqueued.run();
    return linked;
  }

  /**
   * Links each device to the topic at one position, and enqueues the topic's key for them all at
   * the next. A device that does not exist is refused on its own, or fails the whole call if {@code
   * strict}.
   *
   * @return the outcome for each device, its hex ID if linked
   */
  private List<BatchItem<String>> linkEach(
      Handle handle, List<DeviceRef> refs, String topic, List<Entry> events, boolean strict) {
    long position = outbox.lock(handle);
    byte[] topicId = lockTopic(handle, topic);
    List<BatchItem<String>> results = new ArrayList<>();
    List<byte[]> linked = new ArrayList<>();
    var unlinkFirst =
        handle.prepareBatch("DELETE FROM device_topics WHERE device_id = ? AND topic_id = ?");
    var links =
        handle.prepareBatch(
            "INSERT INTO device_topics (device_id, topic_id, linked_at, linked_position)"
                + " VALUES (?, ?, ?, ?)");
    OffsetDateTime now = Sql.at(clock.instant());
    for (int i = 0; i < refs.size(); i++) {
      Found device;
      try {
        device = found(handle, refs.get(i));
      } catch (C2Exception e) {
        if (strict) {
          throw e;
        }
        results.add(BatchItem.refused(i, e));
        continue;
      }
      byte[] deviceId = device.id();
      if (linked.stream().anyMatch(id -> Arrays.equals(id, deviceId))) {
        results.add(BatchItem.done(i, HEX.formatHex(deviceId)));
        continue;
      }
      linked.add(deviceId);
      unlinkFirst.add(deviceId, topicId);
      links.add(deviceId, topicId, now, position);
      events.add(Entry.link(EventType.LINKED, deviceId, device.name(), topic));
      results.add(BatchItem.done(i, HEX.formatHex(deviceId)));
    }
    if (linked.isEmpty()) {
      return results;
    }
    unlinkFirst.execute();
    links.execute();
    byte[] key =
        handle
            .createQuery("SELECT id, name, topic_key FROM topics WHERE id = ?")
            .bind(0, topicId)
            .map((rs, ctx) -> topicKey(rs))
            .one();
    try {
      outbox.toDevices(handle, linked, Commands.setTopicKey(key, topic));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    return results;
  }

  @Override
  public void unlink(DeviceRef ref, String topic) {
    audited(
        "Unlink",
        describe(ref) + " -> " + topic,
        () -> {
          Validation.topic(topic);
          return commit(
              "Unlink",
              describe(ref) + " -> " + topic,
              (handle, events) -> {
                outbox.lock(handle);
                byte[] topicId = lockTopic(handle, topic);
                Found device = found(handle, ref);
                byte[] deviceId = device.id();
                int removed =
                    handle.execute(
                        "DELETE FROM device_topics WHERE device_id = ? AND topic_id = ?",
                        deviceId,
                        topicId);
                if (removed == 0) {
                  throw new C2Exception(
                      Reason.NOT_FOUND, ref + " is not linked to topic '" + topic + "'");
                }
                outbox.toDevice(handle, deviceId, List.of(Commands.removeTopic(topic)));
                events.add(Entry.link(EventType.UNLINKED, deviceId, device.name(), topic));
                return null;
              });
        });
    commandsEnqueued.run();
  }

  @Override
  public Page<TopicInfo> topicsOf(DeviceRef ref, String cursor, int limit) {
    checkLimit(limit);
    String after = new String(cursorBytes(cursor), StandardCharsets.UTF_8);
    return database.read(
        handle -> {
          byte[] id = deviceId(handle, ref);
          return topicPage(
              handle,
              "FROM topics t JOIN device_topics l ON l.topic_id = t.id WHERE l.device_id = :device",
              Map.of("device", id),
              after,
              limit);
        });
  }

  @Override
  public long topicCountOf(DeviceRef ref) {
    return database.read(
        handle ->
            handle
                .createQuery("SELECT COUNT(*) FROM device_topics WHERE device_id = ?")
                .bind(0, deviceId(handle, ref))
                .mapTo(Long.class)
                .one());
  }

  @Override
  public Page<DeviceInfo> devicesOf(String topic, String cursor, int limit) {
    Validation.topic(topic);
    checkLimit(limit);
    byte[] after = cursorBytes(cursor);
    return database.read(
        handle -> {
          byte[] topicId = topicId(handle, topic);
          return devicePage(
              handle,
              "FROM devices d JOIN device_topics l ON l.device_id = d.id WHERE l.topic_id = :topic",
              Map.of("topic", topicId),
              "l.device_id",
              "l.topic_id, l.device_id",
              after,
              limit);
        });
  }

  @Override
  public long deviceCountOf(String topic) {
    Validation.topic(topic);
    return database.read(
        handle ->
            handle
                .createQuery("SELECT COUNT(*) FROM device_topics WHERE topic_id = ?")
                .bind(0, topicId(handle, topic))
                .mapTo(Long.class)
                .one());
  }

  // --- public keys (PK mode) ------------------------------------------------------------------

  @Override
  public void sendPublicKey(DeviceRef subject, DeviceRef holder) {
    String target = describe(subject) + " -> " + describe(holder);
    audited(
        "SendPublicKey",
        target,
        () -> {
          requirePublicKeyMode("sending public keys");
          return commit(
              "SendPublicKey",
              target,
              (handle, events) -> {
                // Locked: the subject's key changes and removal reach every holder, this one too.
                outbox.lock(handle);
                byte[] subjectId = deviceId(handle, subject);
                Found found = found(handle, holder);
                byte[] holderId = found.id();
                byte[] publicKey =
                    handle
                        .createQuery("SELECT public_key FROM devices WHERE id = ?")
                        .bind(0, subjectId)
                        .mapTo(byte[].class)
                        .one();
                handle.execute(
                    "DELETE FROM device_public_keys WHERE holder_id = ? AND subject_id = ?",
                    holderId,
                    subjectId);
                handle.execute(
                    "INSERT INTO device_public_keys (holder_id, subject_id, sent_at)"
                        + " VALUES (?, ?, ?)",
                    holderId,
                    subjectId,
                    Sql.at(clock.instant()));
                outbox.toDevice(
                    handle, holderId, List.of(Commands.setPubKey(publicKey, subjectId)));
                events.add(publicKeyEntry(EventType.PUBLIC_KEY_SENT, subjectId, found));
                return null;
              });
        });
    commandsEnqueued.run();
  }

  @Override
  public void removePublicKey(DeviceRef subject, DeviceRef holder) {
    String target = describe(subject) + " -> " + describe(holder);
    audited(
        "RemovePublicKey",
        target,
        () -> {
          requirePublicKeyMode("removing public keys");
          return commit(
              "RemovePublicKey",
              target,
              (handle, events) -> {
                outbox.lock(handle);
                byte[] subjectId = deviceId(handle, subject);
                Found found = found(handle, holder);
                byte[] holderId = found.id();
                int removed =
                    handle.execute(
                        "DELETE FROM device_public_keys WHERE holder_id = ? AND subject_id = ?",
                        holderId,
                        subjectId);
                if (removed == 0) {
                  throw new C2Exception(
                      Reason.NOT_FOUND, holder + " does not hold the public key of " + subject);
                }
                outbox.toDevice(handle, holderId, List.of(Commands.removePubKey(subjectId)));
                events.add(publicKeyEntry(EventType.PUBLIC_KEY_REMOVED, subjectId, found));
                return null;
              });
        });
    commandsEnqueued.run();
  }

  /** An event about the public key of {@code subjectId} held by {@code holder}. */
  private static Entry publicKeyEntry(EventType type, byte[] subjectId, Found holder) {
    return Entry.device(type, holder.id(), holder.name())
        .withDetail("public key of " + HEX.formatHex(subjectId));
  }

  @Override
  public void resetPublicKeys(DeviceRef holder) {
    audited(
        "ResetPublicKeys",
        describe(holder),
        () -> {
          requirePublicKeyMode("resetting public keys");
          return commit(
              "ResetPublicKeys",
              describe(holder),
              (handle, events) -> {
                outbox.lock(handle);
                Found found = found(handle, holder);
                byte[] holderId = found.id();
                handle.execute(
                    "DELETE FROM device_public_keys WHERE holder_id = ?", (Object) holderId);
                outbox.toDevice(handle, holderId, List.of(Commands.resetPubKeys()));
                events.add(Entry.device(EventType.PUBLIC_KEYS_RESET, holderId, found.name()));
                return null;
              });
        });
    commandsEnqueued.run();
  }

  @Override
  public Page<DeviceInfo> publicKeysHeldBy(DeviceRef holder, String cursor, int limit) {
    requirePublicKeyMode("public keys");
    checkLimit(limit);
    byte[] after = cursorBytes(cursor);
    return database.read(
        handle -> {
          byte[] holderId = deviceId(handle, holder);
          return devicePage(
              handle,
              "FROM devices d JOIN device_public_keys p ON p.subject_id = d.id WHERE p.holder_id = :holder",
              Map.of("holder", holderId),
              "p.subject_id",
              "p.holder_id, p.subject_id",
              after,
              limit);
        });
  }

  // --- C2's own key (PK mode) -----------------------------------------------------------------

  @Override
  public void newC2Key() {
    audited(
        "NewC2Key",
        "C2",
        () -> {
          requirePublicKeyMode("a C2 key");
          byte[] newPrivate = Keys.newCurve25519();
          byte[] newPublic = Keys.curve25519PublicFromPrivate(newPrivate);
          try {
            return commit(
                "NewC2Key",
                "C2",
                (handle, events) -> {
                  outbox.lock(handle);
                  int generation = lockC2KeyPair(handle);
                  int told = outbox.toEveryDevice(handle, Commands.setC2Key(newPublic));
                  long keysChangedAt = outbox.allKeysChanging(handle);
                  storeC2KeyPair(handle, generation + 1, newPrivate, newPublic);
                  handle.execute("DELETE FROM c2_key_pair WHERE generation = ?", generation);
                  rekeyDevices(handle, newPrivate, keysChangedAt);
                  events.add(
                      new Entry(EventType.C2_KEY_CHANGED, null, null, null, null, told, null)
                          .withDetail("generation " + (generation + 1)));
                  return null;
                });
          } finally {
            Arrays.fill(newPrivate, (byte) 0);
          }
        });
    commandsEnqueued.run();
  }

  /**
   * Every device's command key becomes the one it shares with C2's new private key, changed at
   * {@code keyPosition}.
   */
  private void rekeyDevices(Handle handle, byte[] c2Private, long keyPosition) {
    OffsetDateTime now = Sql.at(clock.instant());
    var update =
        handle.prepareBatch(
            "UPDATE devices SET command_key = ?, key_position = ?, updated_at = ? WHERE id = ?");
    int[] inBatch = {0};
    handle
        .createQuery("SELECT id, public_key FROM devices")
        .setFetchSize(1_000)
        .reduceResultSet(
            null,
            (ignored, rs, ctx) -> {
              byte[] id = rs.getBytes(1);
              byte[] shared = Keys.sharedKey(c2Private, Keys.curve25519Public(rs.getBytes(2)));
              update.add(
                  vault.seal(shared, SealedColumn.DEVICE_KEY.label(id)), keyPosition, now, id);
              Arrays.fill(shared, (byte) 0);
              if (++inBatch[0] == 1_000) {
                update.execute();
                inBatch[0] = 0;
              }
              return null;
            });
    if (inBatch[0] > 0) {
      update.execute();
    }
  }

  @Override
  public byte[] c2PublicKey() {
    requirePublicKeyMode("a C2 key");
    return database.read(
        handle ->
            handle
                .createQuery("SELECT public_key FROM c2_key_pair ORDER BY generation DESC")
                .mapTo(byte[].class)
                .first());
  }

  /** PK mode, first start: C2's first key pair. */
  public void ensureC2KeyPair() {
    database.useTransaction(
        handle -> {
          if (handle.createQuery("SELECT COUNT(*) FROM c2_key_pair").mapTo(Integer.class).one()
              == 0) {
            byte[] privateKey = Keys.newCurve25519();
            try {
              storeC2KeyPair(handle, 1, privateKey, Keys.curve25519PublicFromPrivate(privateKey));
            } finally {
              Arrays.fill(privateKey, (byte) 0);
            }
          }
        });
  }

  private void storeC2KeyPair(Handle handle, int generation, byte[] privateKey, byte[] publicKey) {
    handle.execute(
        "INSERT INTO c2_key_pair (generation, private_key, public_key, created_at)"
            + " VALUES (?, ?, ?, ?)",
        generation,
        vault.seal(privateKey, SealedColumn.C2_PRIVATE_KEY.label(generation)),
        publicKey,
        Sql.at(clock.instant()));
  }

  /** Locks C2's key pair row (so device creation and a C2 key change serialize). */
  private int lockC2KeyPair(Handle handle) {
    return handle
        .createQuery("SELECT generation FROM c2_key_pair ORDER BY generation DESC FOR UPDATE")
        .mapTo(Integer.class)
        .findFirst()
        .orElseThrow(() -> new C2Exception(Reason.STORAGE, "C2 has no key pair"));
  }

  /** The key a PK device shares with C2's current key pair. */
  private byte[] sharedKey(Handle handle, byte[] ed25519Public) {
    int generation = lockC2KeyPair(handle);
    byte[] sealed =
        handle
            .createQuery("SELECT private_key FROM c2_key_pair WHERE generation = ?")
            .bind(0, generation)
            .mapTo(byte[].class)
            .one();
    byte[] c2Private = vault.open(sealed, SealedColumn.C2_PRIVATE_KEY.label(generation));
    try {
      return Keys.sharedKey(c2Private, Keys.curve25519Public(ed25519Public));
    } finally {
      Arrays.fill(c2Private, (byte) 0);
    }
  }

  // --- messages -------------------------------------------------------------------------------

  @Override
  public byte[] protectMessage(String topic, byte[] payload) {
    return audited(
        "ProtectMessage",
        topic,
        () -> {
          Validation.topic(topic);
          if (mode == CryptoMode.PUBLIC_KEY) {
            throw new C2Exception(
                Reason.WRONG_MODE,
                "in public-key mode devices accept only messages signed by a device; C2 has no"
                    + " device identity to sign with");
          }
          byte[] protectedMessage = withTopicKey(topic, client -> client.protect(topic, payload));
          journal.auditAlone(
              caller.name(), Optional.of(caller.role()), "ProtectMessage", topic, "OK", null);
          return protectedMessage;
        });
  }

  @Override
  public UnprotectedMessage unprotectMessage(String topic, byte[] message) {
    return audited(
        "UnprotectMessage",
        topic,
        () -> {
          Validation.topic(topic);
          UnprotectedMessage opened =
              mode == CryptoMode.SYMMETRIC_KEY
                  ? new UnprotectedMessage(
                      withTopicKey(topic, client -> unprotect(client, topic, message)),
                      Optional.empty())
                  : unprotectSigned(topic, message);
          journal.auditAlone(
              caller.name(), Optional.of(caller.role()), "UnprotectMessage", topic, "OK", null);
          return opened;
        });
  }

  /** PK mode: checks the sender's signature with the public key C2 holds for it. */
  private UnprotectedMessage unprotectSigned(String topic, byte[] message) {
    if (message.length < Keys.ID_SIZE + 8) {
      throw new C2Exception(Reason.INVALID_ARGUMENT, "too short for a signed E4 message");
    }
    byte[] senderId = Arrays.copyOfRange(message, 8, 8 + Keys.ID_SIZE);
    byte[] senderKey =
        database
            .read(
                handle ->
                    handle
                        .createQuery("SELECT public_key FROM devices WHERE id = ?")
                        .bind(0, senderId)
                        .mapTo(byte[].class)
                        .findFirst())
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
              return unprotect(client, topic, message);
            });
    return new UnprotectedMessage(payload, Optional.of(HEX.formatHex(senderId)));
  }

  private static byte[] unprotect(E4Client client, String topic, byte[] message) {
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
        database.read(
            handle ->
                handle
                    .createQuery("SELECT id, name, topic_key FROM topics WHERE id = ?")
                    .bind(0, Keys.topicHash(topic))
                    .map((rs, ctx) -> topicKey(rs))
                    .findFirst()
                    .orElseThrow(
                        () -> new C2Exception(Reason.NOT_FOUND, "no topic '" + topic + "'")));
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

  // --- events and audit -----------------------------------------------------------------------

  @Override
  public List<C2Event> events(long after, int limit) {
    checkLimit(limit);
    return journal.events(after, limit);
  }

  @Override
  public long lastEventSequence() {
    return journal.lastSequence();
  }

  @Override
  public List<AuditRecord> audit(long before, int limit, Optional<String> actor) {
    checkLimit(limit);
    return journal.audit(before, limit, actor);
  }

  // --- offset listings, for the compatibility routes of Teserakt's C2 -------------------------

  /** Device names, in name order, from the {@code offset}-th (devices without a name left out). */
  public List<String> deviceNamesAt(long offset, int count) {
    return namesAt(
        "SELECT name FROM devices WHERE name IS NOT NULL ORDER BY name", Map.of(), offset, count);
  }

  /** Topic names, in name order, from the {@code offset}-th. */
  public List<String> topicNamesAt(long offset, int count) {
    return namesAt("SELECT name FROM topics ORDER BY name", Map.of(), offset, count);
  }

  /** The names of a device's topics, in name order, from the {@code offset}-th. */
  public List<String> topicNamesOfAt(DeviceRef ref, long offset, int count) {
    byte[] id = database.read(handle -> deviceId(handle, ref));
    return namesAt(
        "SELECT t.name FROM topics t JOIN device_topics l ON l.topic_id = t.id"
            + " WHERE l.device_id = :device ORDER BY t.name",
        Map.of("device", id),
        offset,
        count);
  }

  /** The names of a topic's devices, in name order, from the {@code offset}-th. */
  public List<String> deviceNamesOfAt(String topic, long offset, int count) {
    Validation.topic(topic);
    byte[] id = database.read(handle -> topicId(handle, topic));
    return namesAt(
        "SELECT d.name FROM devices d JOIN device_topics l ON l.device_id = d.id"
            + " WHERE l.topic_id = :topic AND d.name IS NOT NULL ORDER BY d.name",
        Map.of("topic", id),
        offset,
        count);
  }

  private List<String> namesAt(String query, Map<String, ?> binds, long offset, int count) {
    if (offset < 0 || count < 0 || count > MAX_PAGE) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT,
          "offset must not be negative, and count 0 to " + MAX_PAGE + ", got " + count);
    }
    if (count == 0) {
      return List.of();
    }
    return database.read(
        handle ->
            handle
                .createQuery(query + " LIMIT :count OFFSET :offset")
                .bindMap(binds)
                .bind("count", count)
                .bind("offset", offset)
                .mapTo(String.class)
                .list());
  }

  // --- recording ------------------------------------------------------------------------------

  /** A transaction's work, which adds the events it causes to {@code events}. */
  @FunctionalInterface
  private interface Change<T> {
    T apply(Handle handle, List<Entry> events);
  }

  /**
   * Runs {@code call}; if it fails, records the failure in the audit log (a call that succeeds
   * recorded itself in its own transaction).
   */
  private <T> T audited(String action, String target, Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      String outcome = e instanceof C2Exception c2 ? c2.reason().name() : "INTERNAL";
      journal.auditAlone(
          caller.name(), Optional.of(caller.role()), action, target, outcome, e.getMessage());
      throw e;
    }
  }

  /** Runs {@code work} in a transaction that also records the call and the events it causes. */
  private <T> T commit(String action, String target, Change<T> work) {
    T result =
        database.inTransaction(
            handle -> {
              List<Entry> events = new ArrayList<>();
              T value = work.apply(handle, events);
              journal.audit(handle, caller, action, target, "OK", null);
              journal.append(handle, Optional.of(caller), events);
              return value;
            });
    journal.committed();
    return result;
  }

  /** A device as the audit log names it: its name, or {@code id:} and its ID. */
  private static String describe(DeviceRef ref) {
    return ref.name().orElseGet(() -> "id:" + HEX.formatHex(ref.idOrDerived()));
  }

  private static void checkBatch(int size) {
    if (size < 1 || size > MAX_BATCH) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT, "a batch holds 1 to " + MAX_BATCH + " items, not " + size);
    }
  }

  // --- deliveries -----------------------------------------------------------------------------

  @Override
  public List<Delivery> deliveries(DeviceRef ref, int limit) {
    checkLimit(limit);
    return database.read(
        handle -> {
          byte[] id = ref.id().orElse(null);
          if (id == null) {
            id = deviceId(handle, ref);
          }
          return Deliveries.ofDevice(handle, id, limit);
        });
  }

  @Override
  public long undeliveredCount() {
    return database.read(Deliveries::undelivered);
  }

  // --- helpers --------------------------------------------------------------------------------

  private byte[] deviceId(Handle handle, DeviceRef ref) {
    return found(handle, ref).id();
  }

  /** A device found by its ID or name, with its name. */
  private record Found(byte[] id, String name) {}

  private static Found found(Handle handle, DeviceRef ref) {
    String where = ref.id().isPresent() ? "id" : "name";
    Object value = ref.id().isPresent() ? ref.id().get() : ref.name().orElseThrow();
    return handle
        .createQuery("SELECT id, name FROM devices WHERE " + where + " = ?")
        .bind(0, value)
        .map((rs, ctx) -> new Found(rs.getBytes(1), rs.getString(2)))
        .findFirst()
        .orElseThrow(() -> new C2Exception(Reason.NOT_FOUND, "no " + ref));
  }

  private byte[] topicId(Handle handle, String topic) {
    byte[] id = Keys.topicHash(topic);
    if (!exists(handle, "topics", id)) {
      throw new C2Exception(Reason.NOT_FOUND, "no topic '" + topic + "'");
    }
    return id;
  }

  private static boolean exists(Handle handle, String table, byte[] id) {
    return handle
            .createQuery("SELECT COUNT(*) FROM " + table + " WHERE id = ?")
            .bind(0, id)
            .mapTo(Integer.class)
            .one()
        > 0;
  }

  /** Before a device's command key changes: the commands enqueued so far keep the current one. */
  private void pinCommandKey(Handle handle, byte[] id) {
    byte[] sealed =
        handle
            .createQuery("SELECT command_key FROM devices WHERE id = ?")
            .bind(0, id)
            .mapTo(byte[].class)
            .one();
    byte[] key = vault.open(sealed, SealedColumn.DEVICE_KEY.label(id));
    try {
      outbox.keyChanging(handle, id, key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** The ID of an existing topic, its row locked until the transaction ends. */
  private byte[] lockTopic(Handle handle, String topic) {
    byte[] id = Keys.topicHash(topic);
    handle
        .createQuery("SELECT id FROM topics WHERE id = ? FOR UPDATE")
        .bind(0, id)
        .mapTo(byte[].class)
        .findFirst()
        .orElseThrow(() -> new C2Exception(Reason.NOT_FOUND, "no topic '" + topic + "'"));
    return id;
  }

  /** Opens the topic key in a row whose first three columns are id, name, topic_key. */
  private byte[] topicKey(ResultSet rs) throws SQLException {
    return vault.open(rs.getBytes(3), SealedColumn.TOPIC_KEY.label(rs.getBytes(1)));
  }

  private DeviceInfo deviceInfo(Handle handle, byte[] id) {
    return handle
        .createQuery(
            "SELECT id, name, public_key, created_at, updated_at FROM devices WHERE id = ?")
        .bind(0, id)
        .map((rs, ctx) -> deviceInfo(rs))
        .one();
  }

  private static DeviceInfo deviceInfo(ResultSet rs) throws SQLException {
    byte[] publicKey = rs.getBytes("public_key");
    return new DeviceInfo(
        HEX.formatHex(rs.getBytes("id")),
        Optional.ofNullable(rs.getString("name")),
        Optional.ofNullable(publicKey).map(HEX::formatHex),
        Sql.instant(rs, "created_at"),
        Sql.instant(rs, "updated_at"));
  }

  private TopicInfo topicInfo(Handle handle, String topic) {
    return handle
        .createQuery("SELECT name, key_version, created_at, rotated_at FROM topics WHERE id = ?")
        .bind(0, Keys.topicHash(topic))
        .map((rs, ctx) -> topicInfo(rs))
        .findFirst()
        .orElseThrow(() -> new C2Exception(Reason.NOT_FOUND, "no topic '" + topic + "'"));
  }

  private static TopicInfo topicInfo(ResultSet rs) throws SQLException {
    return new TopicInfo(
        rs.getString("name"),
        rs.getInt("key_version"),
        Sql.instant(rs, "created_at"),
        Sql.instant(rs, "rotated_at"));
  }

  /**
   * One page of devices in ID order: {@code fromWhere} names the devices {@code d}, its named
   * parameters are in {@code binds}; {@code idColumn} holds the device ID in the table that drives
   * the query, {@code indexOrder} is the whole key of its index up to that column. Ordering by the
   * whole key lets the database read the page from the index in order: ordered by the ID alone, H2
   * reads and sorts every row of a topic's 100,000 links for each page. When that table is joined
   * to the devices, PostgreSQL also gets the bound on {@code d.id}: without it, it merge-joins with
   * the devices' index read from the first device (170 ms for a page three quarters into 100,000
   * devices); the same bound makes H2 slower.
   */
  private Page<DeviceInfo> devicePage(
      Handle handle,
      String fromWhere,
      Map<String, ?> binds,
      String idColumn,
      String indexOrder,
      byte[] after,
      int limit) {
    List<DeviceInfo> rows =
        handle
            .createQuery(
                "SELECT d.id, d.name, d.public_key, d.created_at, d.updated_at "
                    + fromWhere
                    + " AND "
                    + idColumn
                    + " > :after"
                    + (idColumn.equals("d.id") || database.isH2() ? "" : " AND d.id > :after")
                    + " ORDER BY "
                    + indexOrder
                    + " LIMIT :limit")
            .bindMap(binds)
            .bind("after", after)
            .bind("limit", limit + 1)
            .map((rs, ctx) -> deviceInfo(rs))
            .list();
    return page(rows, limit, DeviceInfo::id);
  }

  /** One page of topics in name order; {@code fromWhere} names the topics {@code t}. */
  private static Page<TopicInfo> topicPage(
      Handle handle, String fromWhere, Map<String, ?> binds, String after, int limit) {
    List<TopicInfo> rows =
        handle
            .createQuery(
                "SELECT t.name, t.key_version, t.created_at, t.rotated_at "
                    + fromWhere
                    + " AND t.name > :after ORDER BY t.name LIMIT :limit")
            .bindMap(binds)
            .bind("after", after)
            .bind("limit", limit + 1)
            .map((rs, ctx) -> topicInfo(rs))
            .list();
    return page(
        rows,
        limit,
        topic -> HEX.formatHex(topic.name().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** {@code rows} holds one more item than the page when a next page exists. */
  private static <T> Page<T> page(List<T> rows, int limit, Function<T, String> cursorOf) {
    if (rows.size() <= limit) {
      return new Page<>(rows, Optional.empty());
    }
    List<T> page = rows.subList(0, limit);
    return new Page<>(page, Optional.of(cursorOf.apply(page.get(limit - 1))));
  }

  /** Cursors are hex: a device ID, or a topic name's UTF-8 bytes. Empty: from the start. */
  private static byte[] cursorBytes(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return new byte[0];
    }
    try {
      return HEX.parseHex(cursor);
    } catch (IllegalArgumentException e) {
      throw new C2Exception(Reason.INVALID_ARGUMENT, "not a cursor from a previous page");
    }
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new C2Exception(
          Reason.INVALID_ARGUMENT, "a page holds 1 to " + MAX_PAGE + " items, not " + limit);
    }
  }

  private void requirePublicKeyMode(String what) {
    if (mode != CryptoMode.PUBLIC_KEY) {
      throw wrongMode(what, CryptoMode.PUBLIC_KEY);
    }
  }

  private C2Exception wrongMode(String what, CryptoMode needed) {
    return new C2Exception(
        Reason.WRONG_MODE, what + " needs " + needed + " mode; this C2 runs in " + mode + " mode");
  }
}
