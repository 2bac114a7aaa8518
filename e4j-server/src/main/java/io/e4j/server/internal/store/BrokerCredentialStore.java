package io.e4j.server.internal.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@code broker_credentials} table: the broker credential C2 issued to a device that cannot
 * derive its broker password (at most one per device), as a SHA-256 hash and when it was issued;
 * never the credential. Gone with its device (foreign key, on delete cascade).
 */
public final class BrokerCredentialStore {
  private final Dialect dialect;

  public BrokerCredentialStore(Database database) {
    this.dialect = database.dialect();
  }

  /**
   * The form in which a credential is kept and compared: its SHA-256 hash. A credential is 32
   * random bytes, so no slow password hash is needed: nobody can search its space from the hash.
   */
  public static byte[] hash(byte[] credential) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(credential);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Gives the device the credential whose hash is {@code hash}, replacing any it had. */
  public void put(Handle handle, byte[] deviceId, byte[] hash, Instant now) {
    if (dialect == Dialect.H2) {
      handle.execute(
          "MERGE INTO broker_credentials (device_id, secret_hash, issued_at) KEY (device_id)"
              + " VALUES (?, ?, ?)",
          deviceId,
          hash,
          Sql.at(now));
    } else {
      handle.execute(
          "INSERT INTO broker_credentials (device_id, secret_hash, issued_at) VALUES (?, ?, ?)"
              + " ON CONFLICT (device_id) DO UPDATE"
              + " SET secret_hash = EXCLUDED.secret_hash, issued_at = EXCLUDED.issued_at",
          deviceId,
          hash,
          Sql.at(now));
    }
  }

  /** Whether the device had a credential (and now has none). */
  public boolean delete(Handle handle, byte[] deviceId) {
    return handle.execute("DELETE FROM broker_credentials WHERE device_id = ?", (Object) deviceId)
        > 0;
  }

  /** The hash of the device's credential, if it has one. */
  public Optional<byte[]> hash(Handle handle, byte[] deviceId) {
    return handle
        .createQuery("SELECT secret_hash FROM broker_credentials WHERE device_id = ?")
        .bind(0, deviceId)
        .mapTo(byte[].class)
        .findOne();
  }

  /** When the device's credential was issued, if it has one. */
  public Optional<Instant> issuedAt(Handle handle, byte[] deviceId) {
    return handle
        .createQuery("SELECT issued_at FROM broker_credentials WHERE device_id = ?")
        .bind(0, deviceId)
        .map((rs, ctx) -> Sql.instant(rs, "issued_at"))
        .findOne();
  }
}
