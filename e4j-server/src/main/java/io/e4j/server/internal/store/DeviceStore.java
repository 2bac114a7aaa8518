package io.e4j.server.internal.store;

import io.e4j.core.Keys;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.Page;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@code devices} table: each device's ID, name, public key (PK mode) and command key, sealed
 * under the vault. Methods run in the caller's transaction; keys they return are the caller's to
 * erase.
 */
public final class DeviceStore {
  private static final HexFormat HEX = HexFormat.of();
  private static final String COLUMNS = "d.id, d.name, d.public_key, d.created_at, d.updated_at";
  private static final int BATCH = 1_000;

  private final Vault vault;
  private final Dialect dialect;

  public DeviceStore(Vault vault, Database database) {
    this.vault = vault;
    this.dialect = database.dialect();
  }

  /** The device {@code ref} names, or NOT_FOUND. */
  public KnownDevice find(Handle handle, DeviceRef ref) {
    String where = ref.id().isPresent() ? "id" : "name";
    Object value = ref.id().isPresent() ? ref.id().get() : ref.name().orElseThrow();
    return handle
        .createQuery("SELECT id, name FROM devices WHERE " + where + " = ?")
        .bind(0, value)
        .map((rs, ctx) -> new KnownDevice(rs.getBytes(1), rs.getString(2)))
        .findFirst()
        .orElseThrow(() -> new C2Exception(Reason.NOT_FOUND, "no " + ref));
  }

  public boolean exists(Handle handle, byte[] id) {
    return Listing.count(handle, "SELECT COUNT(*) FROM devices WHERE id = ?", (Object) id) > 0;
  }

  /** The ID of the device named {@code name}, if one is. */
  public Optional<byte[]> idOfName(Handle handle, String name) {
    return handle
        .createQuery("SELECT id FROM devices WHERE name = ?")
        .bind(0, name)
        .mapTo(byte[].class)
        .findFirst();
  }

  public void insert(
      Handle handle, byte[] id, String name, byte[] publicKey, byte[] commandKey, Instant now) {
    handle.execute(
        "INSERT INTO devices (id, name, public_key, command_key, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?)",
        id,
        name,
        publicKey,
        seal(id, commandKey),
        Sql.at(now),
        Sql.at(now));
  }

  /** Gives an existing device new keys, and its name if {@code name} is not null. */
  public void replace(
      Handle handle, byte[] id, String name, byte[] publicKey, byte[] commandKey, Instant now) {
    handle.execute(
        "UPDATE devices SET name = COALESCE(?, name), public_key = ?, command_key = ?,"
            + " previous_command_key = NULL, updated_at = ? WHERE id = ?",
        name,
        publicKey,
        seal(id, commandKey),
        Sql.at(now),
        id);
  }

  /** SK mode: a new command key; the one it replaces is kept as the previous one. */
  public void setCommandKey(Handle handle, byte[] id, byte[] commandKey, Instant now) {
    handle.execute(
        "UPDATE devices SET previous_command_key = ?, command_key = ?, updated_at = ?"
            + " WHERE id = ?",
        sealedPrevious(handle, id),
        seal(id, commandKey),
        Sql.at(now),
        id);
  }

  /**
   * PK mode: a new Ed25519 public key and the command key it shares with C2; the command key it
   * replaces is kept as the previous one.
   */
  public void setKeys(Handle handle, byte[] id, byte[] publicKey, byte[] commandKey, Instant now) {
    handle.execute(
        "UPDATE devices SET public_key = ?, previous_command_key = ?, command_key = ?,"
            + " updated_at = ? WHERE id = ?",
        publicKey,
        sealedPrevious(handle, id),
        seal(id, commandKey),
        Sql.at(now),
        id);
  }

  /**
   * The device's command key before its last change, opened, if it changed since it was created (or
   * replaced).
   */
  public Optional<byte[]> previousCommandKey(Handle handle, byte[] id) {
    return handle
        .createQuery("SELECT previous_command_key FROM devices WHERE id = ?")
        .bind(0, id)
        .map((rs, ctx) -> rs.getBytes(1))
        .findOne()
        .filter(stored -> stored != null)
        .map(stored -> vault.open(stored, SealedColumn.DEVICE_PREVIOUS_KEY.label(id)));
  }

  /** The current command key, sealed again as the previous one. */
  private byte[] sealedPrevious(Handle handle, byte[] id) {
    byte[] current = commandKey(handle, id);
    try {
      return vault.seal(current, SealedColumn.DEVICE_PREVIOUS_KEY.label(id));
    } finally {
      Arrays.fill(current, (byte) 0);
    }
  }

  /** The device's command key, opened. */
  public byte[] commandKey(Handle handle, byte[] id) {
    byte[] sealed =
        handle
            .createQuery("SELECT command_key FROM devices WHERE id = ?")
            .bind(0, id)
            .mapTo(byte[].class)
            .one();
    return vault.open(sealed, SealedColumn.DEVICE_KEY.label(id));
  }

  /**
   * What a device's key reports are opened and named with: its name, its command key (sealed, see
   * {@link #openCommandKey}) and its Ed25519 public key (PK mode).
   */
  public record Reporting(
      Optional<String> name, byte[] sealedCommandKey, Optional<byte[]> publicKey) {}

  /** For each of {@code ids} that exists, by hex ID: what its reports are opened with. */
  public Map<String, Reporting> reporting(Handle handle, List<byte[]> ids) {
    Map<String, Reporting> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    handle
        .createQuery("SELECT id, name, command_key, public_key FROM devices WHERE id IN (<ids>)")
        .bindList("ids", ids)
        .map(
            (rs, ctx) ->
                Map.entry(
                    HEX.formatHex(rs.getBytes(1)),
                    new Reporting(
                        Optional.ofNullable(rs.getString(2)),
                        rs.getBytes(3),
                        Optional.ofNullable(rs.getBytes(4)))))
        .forEach(entry -> found.put(entry.getKey(), entry.getValue()));
    return found;
  }

  /** A command key read sealed by {@link #reporting}, opened. */
  public byte[] openCommandKey(byte[] id, byte[] sealedCommandKey) {
    return vault.open(sealedCommandKey, SealedColumn.DEVICE_KEY.label(id));
  }

  /** The device's Ed25519 public key (PK mode), if the device exists. */
  public Optional<byte[]> publicKey(Handle handle, byte[] id) {
    return handle
        .createQuery("SELECT public_key FROM devices WHERE id = ?")
        .bind(0, id)
        .mapTo(byte[].class)
        .findFirst();
  }

  public void delete(Handle handle, byte[] id) {
    handle.execute("DELETE FROM devices WHERE id = ?", (Object) id);
  }

  /**
   * PK mode, C2's key pair changed: every device's command key becomes the one it shares with
   * {@code c2Private}, changed at outbox position {@code keyPosition}.
   */
  public void rekeyAll(Handle handle, byte[] c2Private, long keyPosition, Instant now) {
    var update =
        handle.prepareBatch(
            "UPDATE devices SET previous_command_key = ?, command_key = ?, key_position = ?,"
                + " updated_at = ? WHERE id = ?");
    int[] inBatch = {0};
    handle
        .createQuery("SELECT id, public_key, command_key FROM devices")
        .setFetchSize(BATCH)
        .reduceResultSet(
            null,
            (ignored, rs, ctx) -> {
              byte[] id = rs.getBytes(1);
              byte[] shared = Keys.sharedKey(c2Private, Keys.curve25519Public(rs.getBytes(2)));
              byte[] previous = vault.open(rs.getBytes(3), SealedColumn.DEVICE_KEY.label(id));
              update.add(
                  vault.seal(previous, SealedColumn.DEVICE_PREVIOUS_KEY.label(id)),
                  seal(id, shared),
                  keyPosition,
                  Sql.at(now),
                  id);
              Arrays.fill(previous, (byte) 0);
              Arrays.fill(shared, (byte) 0);
              if (++inBatch[0] == BATCH) {
                update.execute();
                inBatch[0] = 0;
              }
              return null;
            });
    if (inBatch[0] > 0) {
      update.execute();
    }
  }

  public DeviceInfo info(Handle handle, byte[] id) {
    return handle
        .createQuery("SELECT " + COLUMNS + " FROM devices d WHERE d.id = ?")
        .bind(0, id)
        .map((rs, ctx) -> info(rs))
        .one();
  }

  public long count(Handle handle) {
    return Listing.count(handle, "SELECT COUNT(*) FROM devices");
  }

  /**
   * Named devices in name order, then (without a prefix) the devices without a name, in ID order.
   * The cursor says which part it is in: {@code n} and the name's UTF-8 bytes in hex, or {@code i}
   * and the ID.
   */
  public Page<DeviceInfo> page(Handle handle, String namePrefix, String cursor, int limit) {
    String prefix = namePrefix == null ? "" : namePrefix;
    boolean byId = cursor != null && cursor.startsWith("i");
    byte[] after =
        Listing.cursorBytes(cursor == null || cursor.isEmpty() ? "" : cursor.substring(1));
    List<DeviceInfo> rows = new ArrayList<>();
    if (!byId) {
      rows.addAll(
          handle
              .createQuery(
                  "SELECT "
                      + COLUMNS
                      + " FROM devices d WHERE d.name > :after"
                      + (prefix.isEmpty() ? "" : " AND d.name LIKE :prefix ESCAPE '\\'")
                      + " ORDER BY d.name LIMIT :limit")
              .bind("after", new String(after, StandardCharsets.UTF_8))
              .bind("prefix", Sql.startsWith(prefix))
              .bind("limit", limit + 1)
              .map((rs, ctx) -> info(rs))
              .list());
    }
    if (rows.size() <= limit && prefix.isEmpty()) {
      rows.addAll(
          handle
              .createQuery(
                  "SELECT "
                      + COLUMNS
                      + " FROM devices d WHERE d.name IS NULL AND d.id > :after"
                      + " ORDER BY d.id LIMIT :limit")
              .bind("after", byId ? after : new byte[0])
              .bind("limit", limit + 1 - rows.size())
              .map((rs, ctx) -> info(rs))
              .list());
    }
    return Listing.page(
        rows,
        limit,
        device ->
            device
                .name()
                .map(name -> "n" + Listing.nameCursor(name))
                .orElseGet(() -> "i" + device.id()));
  }

  /** Device names, in name order, from the {@code offset}-th (devices without a name left out). */
  public List<String> namesAt(Handle handle, long offset, int count) {
    return Listing.namesAt(
        handle,
        "SELECT name FROM devices WHERE name IS NOT NULL ORDER BY name",
        Map.of(),
        offset,
        count);
  }

  /**
   * One page of devices in ID order, for the listings of other tables joined to the devices {@code
   * d}: {@code fromWhere} names them, its named parameters are in {@code binds}; {@code idColumn}
   * holds the device ID in the table that drives the query, {@code indexOrder} is the whole key of
   * its index up to that column. Ordering by the whole key lets the database read the page from the
   * index in order: ordered by the ID alone, H2 reads and sorts every row of a topic's 100,000
   * links for each page. PostgreSQL also gets the bound on {@code d.id}: without it, it merge-joins
   * with the devices' index read from the first device (170 ms for a page three quarters into
   * 100,000 devices); the same bound makes H2 slower.
   */
  Page<DeviceInfo> joinedPage(
      Handle handle,
      String fromWhere,
      Map<String, ?> binds,
      String idColumn,
      String indexOrder,
      byte[] after,
      int limit) {
    boolean boundDevices = dialect == Dialect.POSTGRESQL;
    List<DeviceInfo> rows =
        handle
            .createQuery(
                "SELECT "
                    + COLUMNS
                    + " "
                    + fromWhere
                    + " AND "
                    + idColumn
                    + " > :after"
                    + (boundDevices ? " AND d.id > :after" : "")
                    + " ORDER BY "
                    + indexOrder
                    + " LIMIT :limit")
            .bindMap(binds)
            .bind("after", after)
            .bind("limit", limit + 1)
            .map((rs, ctx) -> info(rs))
            .list();
    return Listing.page(rows, limit, DeviceInfo::id);
  }

  private byte[] seal(byte[] id, byte[] commandKey) {
    return vault.seal(commandKey, SealedColumn.DEVICE_KEY.label(id));
  }

  static DeviceInfo info(ResultSet rs) throws SQLException {
    byte[] publicKey = rs.getBytes("public_key");
    return new DeviceInfo(
        HEX.formatHex(rs.getBytes("id")),
        Optional.ofNullable(rs.getString("name")),
        Optional.ofNullable(publicKey).map(HEX::formatHex),
        Sql.instant(rs, "created_at"),
        Sql.instant(rs, "updated_at"));
  }
}
