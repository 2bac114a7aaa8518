package io.e4j.server.internal;

import io.e4j.core.Commands;
import io.e4j.core.Keys;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.C2Service;
import io.e4j.server.CreatedDevice;
import io.e4j.server.CryptoMode;
import io.e4j.server.Delivery;
import io.e4j.server.DeliveryStatus;
import io.e4j.server.DeviceCredential;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.NewDevice;
import io.e4j.server.Page;
import io.e4j.server.TopicInfo;
import io.e4j.server.internal.outbox.OutboxWriter;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.Sql;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
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
import org.jdbi.v3.core.Handle;

/** {@link C2Service} on the key store, the vault and the outbox. */
public final class Operations implements C2Service {
  /** Fan-out audiences: queries of {@code device_id}. */
  private static final String HOLDERS_OF_TOPIC =
      "SELECT device_id FROM device_topics WHERE topic_id = :topic";

  private static final String HOLDERS_OF_SUBJECT =
      "SELECT holder_id AS device_id FROM device_public_keys WHERE subject_id = :subject";

  private static final String ALL_DEVICES = "SELECT id AS device_id FROM devices";

  /**
   * For a rotation {@code f} and a link {@code l}: the device has no outbox row for it, which would
   * stand for it (its send failed, or it waited behind earlier commands).
   */
  private static final String WITHOUT_ITS_OWN_ROW =
      " AND NOT EXISTS (SELECT 1 FROM command_outbox o"
          + " WHERE o.device_id = l.device_id AND o.position = f.position)";

  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_PAGE = 1_000;

  private final Database database;
  private final Vault vault;
  private final OutboxWriter outbox;
  private final Clock clock;
  private final CryptoMode mode;
  private final Runnable commandsEnqueued;

  public Operations(
      Database database,
      Vault vault,
      OutboxWriter outbox,
      Clock clock,
      CryptoMode mode,
      Runnable commandsEnqueued) {
    this.database = database;
    this.vault = vault;
    this.outbox = outbox;
    this.clock = clock;
    this.mode = mode;
    this.commandsEnqueued = commandsEnqueued;
  }

  @Override
  public CryptoMode mode() {
    return mode;
  }

  // --- devices --------------------------------------------------------------------------------

  @Override
  public CreatedDevice createDevice(NewDevice request) {
    DeviceRef ref = request.device();
    byte[] id = ref.idOrDerived();
    byte[] generated = null;
    byte[] publicKey = null;
    byte[] deviceKey;
    DeviceCredential credential = request.credential();
    if (mode == CryptoMode.SYMMETRIC_KEY) {
      if (credential instanceof DeviceCredential.SymmetricKey key) {
        deviceKey = key.key();
      } else if (credential instanceof DeviceCredential.Password password) {
        deviceKey = Keys.symmetricKeyFromPassword(password.password());
      } else if (credential instanceof DeviceCredential.Generate) {
        deviceKey = Keys.randomKey();
        generated = deviceKey.clone();
      } else {
        throw wrongMode("a device public key", CryptoMode.PUBLIC_KEY);
      }
    } else {
      if (credential instanceof DeviceCredential.PublicKey key) {
        publicKey = key.ed25519Public();
      } else if (credential instanceof DeviceCredential.Password password) {
        byte[] signing = Keys.ed25519FromPassword(password.password());
        publicKey = Keys.ed25519Public(signing);
        Arrays.fill(signing, (byte) 0);
      } else if (credential instanceof DeviceCredential.Generate) {
        generated = Keys.newEd25519();
        publicKey = Keys.ed25519Public(generated);
      } else {
        throw wrongMode("a device symmetric key", CryptoMode.SYMMETRIC_KEY);
      }
      deviceKey = null;
    }
    byte[] devicePublicKey = publicKey;
    try {
      DeviceInfo info =
          database.inTransaction(
              handle -> {
                if (request.replace()) {
                  // Replacing pins the old key into the device's undelivered commands.
                  outbox.lock(handle);
                }
                byte[] commandKey =
                    deviceKey != null ? deviceKey.clone() : sharedKey(handle, devicePublicKey);
                try {
                  return storeDevice(handle, ref, id, devicePublicKey, commandKey, request);
                } finally {
                  Arrays.fill(commandKey, (byte) 0);
                }
              });
      return new CreatedDevice(info, Optional.ofNullable(generated));
    } finally {
      if (deviceKey != null) {
        Arrays.fill(deviceKey, (byte) 0);
      }
    }
  }

  private DeviceInfo storeDevice(
      Handle handle,
      DeviceRef ref,
      byte[] id,
      byte[] publicKey,
      byte[] commandKey,
      NewDevice request) {
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
    return deviceInfo(handle, id);
  }

  @Override
  public void removeDevice(DeviceRef ref) {
    boolean enqueued =
        database.inTransaction(
            handle -> {
              outbox.lock(handle);
              byte[] id = deviceId(handle, ref);
              long told = 0;
              if (mode == CryptoMode.PUBLIC_KEY) {
                told =
                    outbox.fanOut(
                        handle,
                        HOLDERS_OF_SUBJECT,
                        Map.of("subject", id),
                        Commands.removePubKey(id));
              }
              outbox.cancelUndelivered(handle, id);
              handle.execute("DELETE FROM devices WHERE id = ?", (Object) id);
              return told > 0;
            });
    if (enqueued) {
      commandsEnqueued.run();
    }
  }

  @Override
  public DeviceInfo device(DeviceRef ref) {
    return database.read(handle -> deviceInfo(handle, deviceId(handle, ref)));
  }

  @Override
  public Page<DeviceInfo> devices(String namePrefix, String cursor, int limit) {
    checkLimit(limit);
    byte[] after = cursorBytes(cursor);
    String prefix = namePrefix == null ? "" : namePrefix;
    return database.read(
        handle ->
            devicePage(
                handle,
                "FROM devices d WHERE "
                    + (prefix.isEmpty() ? "TRUE" : "d.name LIKE :prefix ESCAPE '\\'"),
                Map.of("prefix", Sql.startsWith(prefix)),
                "d.id",
                "d.id",
                after,
                limit));
  }

  @Override
  public long deviceCount() {
    return database.read(
        handle -> handle.createQuery("SELECT COUNT(*) FROM devices").mapTo(Long.class).one());
  }

  @Override
  public void newDeviceKey(DeviceRef ref) {
    database.useTransaction(
        handle -> {
          outbox.lock(handle);
          byte[] id = deviceId(handle, ref);
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
            outbox.fanOut(
                handle,
                HOLDERS_OF_SUBJECT,
                Map.of("subject", id),
                Commands.setPubKey(publicKey, id));
          } finally {
            Arrays.fill(signing, (byte) 0);
            Arrays.fill(commandKey, (byte) 0);
          }
        });
    commandsEnqueued.run();
  }

  @Override
  public void resetDevice(DeviceRef ref) {
    database.useTransaction(
        handle -> {
          outbox.lock(handle);
          byte[] id = deviceId(handle, ref);
          handle.execute("DELETE FROM device_topics WHERE device_id = ?", (Object) id);
          outbox.toDevice(handle, id, List.of(Commands.resetTopics()));
        });
    commandsEnqueued.run();
  }

  @Override
  public void resyncDevice(DeviceRef ref) {
    database.useTransaction(
        handle -> {
          // Locked first: a rotation running beside this waits, or has committed its key already.
          outbox.lock(handle);
          byte[] id = deviceId(handle, ref);
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
          outbox.toDevice(handle, id, commands);
        });
    commandsEnqueued.run();
  }

  // --- topics ---------------------------------------------------------------------------------

  @Override
  public TopicInfo createTopic(String topic) {
    Validation.topic(topic);
    byte[] key = Keys.randomKey();
    try {
      return database.inTransaction(
          handle -> {
            byte[] id = Keys.topicHash(topic);
            if (exists(handle, "topics", id)) {
              throw new C2Exception(Reason.ALREADY_EXISTS, "topic '" + topic + "' exists already");
            }
            OffsetDateTime now = Sql.at(clock.instant());
            handle.execute(
                "INSERT INTO topics (id, name, topic_key, key_version, created_at, rotated_at)"
                    + " VALUES (?, ?, ?, 1, ?, ?)",
                id,
                topic,
                vault.seal(key, SealedColumn.TOPIC_KEY.label(id)),
                now,
                now);
            return topicInfo(handle, topic);
          });
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  @Override
  public void removeTopic(String topic) {
    Validation.topic(topic);
    database.useTransaction(
        handle -> {
          outbox.lock(handle);
          byte[] id = lockTopic(handle, topic);
          outbox.fanOut(handle, HOLDERS_OF_TOPIC, Map.of("topic", id), Commands.removeTopic(topic));
          handle.execute("DELETE FROM topics WHERE id = ?", (Object) id);
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
    String after = new String(cursorBytes(cursor), java.nio.charset.StandardCharsets.UTF_8);
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
    Validation.topic(topic);
    byte[] key = Keys.randomKey();
    try {
      TopicInfo rotated =
          database.inTransaction(
              handle -> {
                outbox.lock(handle);
                byte[] id = lockTopic(handle, topic);
                handle.execute(
                    "UPDATE topics SET topic_key = ?, key_version = key_version + 1,"
                        + " rotated_at = ? WHERE id = ?",
                    vault.seal(key, SealedColumn.TOPIC_KEY.label(id)),
                    Sql.at(clock.instant()),
                    id);
                outbox.topicFanOut(handle, id, Commands.setTopicKey(key, topic));
                return topicInfo(handle, topic);
              });
      commandsEnqueued.run();
      return rotated;
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  // --- links ----------------------------------------------------------------------------------

  @Override
  public void link(DeviceRef ref, String topic) {
    Validation.topic(topic);
    database.useTransaction(
        handle -> {
          long position = outbox.lock(handle);
          byte[] topicId = lockTopic(handle, topic);
          byte[] deviceId = deviceId(handle, ref);
          byte[] key =
              handle
                  .createQuery("SELECT id, name, topic_key FROM topics WHERE id = ?")
                  .bind(0, topicId)
                  .map((rs, ctx) -> topicKey(rs))
                  .one();
          try {
            handle.execute(
                "DELETE FROM device_topics WHERE device_id = ? AND topic_id = ?",
                deviceId,
                topicId);
            handle.execute(
                "INSERT INTO device_topics (device_id, topic_id, linked_at, linked_position)"
                    + " VALUES (?, ?, ?, ?)",
                deviceId,
                topicId,
                Sql.at(clock.instant()),
                position);
            outbox.toDevice(handle, deviceId, List.of(Commands.setTopicKey(key, topic)));
          } finally {
            Arrays.fill(key, (byte) 0);
          }
        });
    commandsEnqueued.run();
  }

  @Override
  public void unlink(DeviceRef ref, String topic) {
    Validation.topic(topic);
    database.useTransaction(
        handle -> {
          outbox.lock(handle);
          byte[] topicId = lockTopic(handle, topic);
          byte[] deviceId = deviceId(handle, ref);
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
        });
    commandsEnqueued.run();
  }

  @Override
  public Page<TopicInfo> topicsOf(DeviceRef ref, String cursor, int limit) {
    checkLimit(limit);
    String after = new String(cursorBytes(cursor), java.nio.charset.StandardCharsets.UTF_8);
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
    requirePublicKeyMode("sending public keys");
    database.useTransaction(
        handle -> {
          // Locked: the subject's key changes and removal reach every holder, this one included.
          outbox.lock(handle);
          byte[] subjectId = deviceId(handle, subject);
          byte[] holderId = deviceId(handle, holder);
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
              "INSERT INTO device_public_keys (holder_id, subject_id, sent_at) VALUES (?, ?, ?)",
              holderId,
              subjectId,
              Sql.at(clock.instant()));
          outbox.toDevice(handle, holderId, List.of(Commands.setPubKey(publicKey, subjectId)));
        });
    commandsEnqueued.run();
  }

  @Override
  public void removePublicKey(DeviceRef subject, DeviceRef holder) {
    requirePublicKeyMode("removing public keys");
    database.useTransaction(
        handle -> {
          outbox.lock(handle);
          byte[] subjectId = deviceId(handle, subject);
          byte[] holderId = deviceId(handle, holder);
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
        });
    commandsEnqueued.run();
  }

  @Override
  public void resetPublicKeys(DeviceRef holder) {
    requirePublicKeyMode("resetting public keys");
    database.useTransaction(
        handle -> {
          outbox.lock(handle);
          byte[] holderId = deviceId(handle, holder);
          handle.execute("DELETE FROM device_public_keys WHERE holder_id = ?", (Object) holderId);
          outbox.toDevice(handle, holderId, List.of(Commands.resetPubKeys()));
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
    requirePublicKeyMode("a C2 key");
    byte[] newPrivate = Keys.newCurve25519();
    byte[] newPublic = Keys.curve25519PublicFromPrivate(newPrivate);
    try {
      database.useTransaction(
          handle -> {
            outbox.lock(handle);
            int generation = lockC2KeyPair(handle);
            outbox.fanOut(handle, ALL_DEVICES, Map.of(), Commands.setC2Key(newPublic));
            long keysChangedAt = outbox.allKeysChanging(handle);
            storeC2KeyPair(handle, generation + 1, newPrivate, newPublic);
            handle.execute("DELETE FROM c2_key_pair WHERE generation = ?", generation);
            rekeyDevices(handle, newPrivate, keysChangedAt);
          });
    } finally {
      Arrays.fill(newPrivate, (byte) 0);
    }
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
          String hexId = HEX.formatHex(id);
          List<Delivery> deliveries = new ArrayList<>();
          handle
              .createQuery(
                  "SELECT o.position, c.command_name, o.status, o.attempts, o.last_error,"
                      + " o.created_at, o.delivered_at"
                      + " FROM command_outbox o LEFT JOIN commands c ON c.id = o.command_id"
                      + " WHERE o.device_id = :device"
                      + " ORDER BY o.device_id DESC, o.position DESC LIMIT :limit")
              .bind("device", id)
              .bind("limit", limit)
              .map(
                  (rs, ctx) ->
                      new Delivery(
                          rs.getLong("position"),
                          hexId,
                          rs.getString("command_name"),
                          DeliveryStatus.valueOf(rs.getString("status")),
                          rs.getInt("attempts"),
                          Optional.ofNullable(rs.getString("last_error")),
                          Sql.instant(rs, "created_at"),
                          Optional.ofNullable(Sql.instant(rs, "delivered_at"))))
              .forEach(deliveries::add);
          // Rotations that reached the device straight from its link; one that became an outbox
          // row for it is listed as that row.
          handle
              .createQuery(
                  "SELECT f.position, f.command_name, f.created_at, f.finished_at,"
                      + " f.finished_at IS NOT NULL OR l.device_id <= f.done_through AS done"
                      + " FROM device_topics l JOIN topic_fanouts f ON f.topic_id = l.topic_id"
                      + " WHERE l.device_id = :device AND l.linked_position < f.position"
                      + WITHOUT_ITS_OWN_ROW
                      + " ORDER BY f.position DESC LIMIT :limit")
              .bind("device", id)
              .bind("limit", limit)
              .map(
                  (rs, ctx) -> {
                    boolean done = rs.getBoolean("done");
                    return new Delivery(
                        rs.getLong("position"),
                        hexId,
                        rs.getString("command_name"),
                        done ? DeliveryStatus.DELIVERED : DeliveryStatus.PENDING,
                        done ? 1 : 0,
                        Optional.empty(),
                        Sql.instant(rs, "created_at"),
                        Optional.ofNullable(Sql.instant(rs, "finished_at")));
                  })
              .forEach(deliveries::add);
          deliveries.sort(Comparator.comparingLong(Delivery::position).reversed());
          return List.copyOf(deliveries.subList(0, Math.min(limit, deliveries.size())));
        });
  }

  @Override
  public long undeliveredCount() {
    return database.read(
        handle ->
            handle
                    .createQuery("SELECT COUNT(*) FROM command_outbox WHERE status IN (?, ?)")
                    .bind(0, DeliveryStatus.PENDING.name())
                    .bind(1, DeliveryStatus.FAILED.name())
                    .mapTo(Long.class)
                    .one()
                + handle
                    .createQuery(
                        "SELECT COUNT(*) FROM topic_fanouts f"
                            + " JOIN device_topics l ON l.topic_id = f.topic_id"
                            + " WHERE f.finished_at IS NULL AND l.linked_position < f.position"
                            + " AND (f.done_through IS NULL OR l.device_id > f.done_through)"
                            + WITHOUT_ITS_OWN_ROW)
                    .mapTo(Long.class)
                    .one());
  }

  // --- helpers --------------------------------------------------------------------------------

  private byte[] deviceId(Handle handle, DeviceRef ref) {
    Optional<byte[]> found =
        ref.id().isPresent()
            ? handle
                .createQuery("SELECT id FROM devices WHERE id = ?")
                .bind(0, ref.id().get())
                .mapTo(byte[].class)
                .findFirst()
            : handle
                .createQuery("SELECT id FROM devices WHERE name = ?")
                .bind(0, ref.name().orElseThrow())
                .mapTo(byte[].class)
                .findFirst();
    return found.orElseThrow(() -> new C2Exception(Reason.NOT_FOUND, "no " + ref));
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
