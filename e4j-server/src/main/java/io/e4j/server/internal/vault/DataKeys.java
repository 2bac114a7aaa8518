package io.e4j.server.internal.vault;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;
import org.jdbi.v3.core.Handle;

/** The {@code data_keys} and {@code data_key_wraps} tables. */
final class DataKeys {
  private DataKeys() {}

  /** One wrap of one data key: the data key sealed under one KEK. */
  record Row(int id, boolean active, String kekId, byte[] salt, byte[] wrapped) {}

  static int count(Handle handle) {
    return handle.createQuery("SELECT COUNT(*) FROM data_keys").mapTo(Integer.class).one();
  }

  static List<Row> load(Handle handle) {
    return handle
        .createQuery(
            "SELECT k.id, k.active, w.kek_id, w.kek_salt, w.wrapped"
                + " FROM data_keys k JOIN data_key_wraps w ON w.data_key_id = k.id ORDER BY k.id")
        .map(
            (rs, ctx) ->
                new Row(
                    rs.getInt(1),
                    rs.getBoolean(2),
                    rs.getString(3),
                    rs.getBytes(4),
                    rs.getBytes(5)))
        .list();
  }

  /**
   * The data key in {@code row}, or {@code null} when {@code kek} is not the KEK that wrapped it.
   */
  static byte[] unwrap(Row row, Kek kek, AesGcm gcm) {
    if (kek.isPassphrase() != (row.salt() != null)) {
      return null;
    }
    byte[] kekKey = kek.keyFor(row.salt());
    if (!Kek.idOf(kekKey).equals(row.kekId())) {
      return null;
    }
    try {
      return gcm.open(kekKey, row.wrapped(), 0, label(row.id()));
    } catch (AEADBadTagException e) {
      return null;
    }
  }

  /** Creates data key {@code id}, active, wrapped under each of {@code keks}. */
  static void create(
      Handle handle, AesGcm gcm, SecureRandom random, Clock clock, int id, List<Kek> keks) {
    byte[] dataKey = new byte[Kek.SIZE];
    random.nextBytes(dataKey);
    try {
      handle.execute("UPDATE data_keys SET active = FALSE");
      handle.execute(
          "INSERT INTO data_keys (id, active, created_at) VALUES (?, TRUE, ?)",
          id,
          OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      for (Kek kek : keks) {
        wrap(handle, gcm, random, id, dataKey, kek);
      }
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  static void wrap(
      Handle handle, AesGcm gcm, SecureRandom random, int id, byte[] dataKey, Kek kek) {
    byte[] salt = null;
    if (kek.isPassphrase()) {
      salt = new byte[Kek.SALT_SIZE];
      random.nextBytes(salt);
    }
    byte[] kekKey = kek.keyFor(salt);
    byte[] wrapped = new byte[AesGcm.OVERHEAD + dataKey.length];
    gcm.seal(kekKey, dataKey, label(id), wrapped, 0);
    handle.execute(
        "INSERT INTO data_key_wraps (data_key_id, kek_id, kek_salt, wrapped) VALUES (?, ?, ?, ?)",
        id,
        Kek.idOf(kekKey),
        salt,
        wrapped);
  }

  private static byte[] label(int id) {
    return ("e4j data key " + id).getBytes(UTF_8);
  }
}
