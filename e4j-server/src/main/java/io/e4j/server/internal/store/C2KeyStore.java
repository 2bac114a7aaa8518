package io.e4j.server.internal.store;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.internal.vault.SealedColumn;
import io.e4j.server.internal.vault.Vault;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * PK mode, the {@code c2_key_pair} table: C2's Curve25519 key pair, one row per generation, the
 * private key sealed under the vault. Keys returned are the caller's to erase.
 */
public final class C2KeyStore {
  private final Vault vault;

  public C2KeyStore(Vault vault) {
    this.vault = vault;
  }

  public boolean isEmpty(Handle handle) {
    return Listing.count(handle, "SELECT COUNT(*) FROM c2_key_pair") == 0;
  }

  /** The current generation, its row locked (so device creation and a C2 key change serialize). */
  public int lock(Handle handle) {
    return handle
        .createQuery("SELECT generation FROM c2_key_pair ORDER BY generation DESC FOR UPDATE")
        .mapTo(Integer.class)
        .findFirst()
        .orElseThrow(() -> new C2Exception(Reason.STORAGE, "C2 has no key pair"));
  }

  public void insert(
      Handle handle, int generation, byte[] privateKey, byte[] publicKey, Instant now) {
    handle.execute(
        "INSERT INTO c2_key_pair (generation, private_key, public_key, created_at)"
            + " VALUES (?, ?, ?, ?)",
        generation,
        vault.seal(privateKey, SealedColumn.C2_PRIVATE_KEY.label(generation)),
        publicKey,
        Sql.at(now));
  }

  public void delete(Handle handle, int generation) {
    handle.execute("DELETE FROM c2_key_pair WHERE generation = ?", generation);
  }

  /** The private key of {@code generation}, opened. */
  public byte[] privateKey(Handle handle, int generation) {
    byte[] sealed =
        handle
            .createQuery("SELECT private_key FROM c2_key_pair WHERE generation = ?")
            .bind(0, generation)
            .mapTo(byte[].class)
            .one();
    return vault.open(sealed, SealedColumn.C2_PRIVATE_KEY.label(generation));
  }

  /** The current public key. */
  public byte[] publicKey(Handle handle) {
    return handle
        .createQuery("SELECT public_key FROM c2_key_pair ORDER BY generation DESC")
        .mapTo(byte[].class)
        .first();
  }
}
