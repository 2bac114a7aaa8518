package io.e4j.server.internal.vault;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Seals every key the store keeps: AES-256-GCM under a data key, with associated data naming the
 * table, column and row the value belongs to, so that a sealed value moved to another row (or
 * column) no longer opens. The data keys are themselves wrapped under the key-encryption key (KEK)
 * and live in the database; the KEK never does.
 *
 * <p>A sealed value is {@code 0x01 || data key id (4, big-endian) || nonce (12) || ciphertext ||
 * tag (16)}.
 */
public final class Vault implements AutoCloseable {
  static final byte FORMAT = 1;
  static final int HEADER = 5;
  static final int OVERHEAD = HEADER + AesGcm.OVERHEAD;

  private final Jdbi jdbi;
  private final Kek kek;
  private final Clock clock;
  private final SecureRandom random;
  private final AesGcm gcm;
  private final Map<Integer, byte[]> dataKeys = new ConcurrentHashMap<>();
  private volatile int activeId;

  private Vault(Jdbi jdbi, Kek kek, Clock clock, SecureRandom random) {
    this.jdbi = jdbi;
    this.kek = kek;
    this.clock = clock;
    this.random = random;
    this.gcm = new AesGcm(random);
  }

  /**
   * Opens the store's data keys with {@code kek}; on an empty store, creates the first data key.
   * The vault takes ownership of {@code kek} and erases it on {@link #close()}.
   */
  public static Vault open(Jdbi jdbi, Kek kek, Clock clock, SecureRandom random) {
    Vault vault = new Vault(jdbi, kek, clock, random);
    jdbi.useTransaction(
        handle -> {
          if (DataKeys.count(handle) == 0) {
            DataKeys.create(handle, vault.gcm, random, clock, 1, List.of(kek));
          }
        });
    vault.refresh();
    return vault;
  }

  /** Whether the store holds no data key yet: nothing was ever sealed in it. */
  public static boolean isEmptyStore(Jdbi jdbi) {
    return jdbi.withHandle(DataKeys::count) == 0;
  }

  /** Reloads the data keys and which one is active (another node or a rekey may change them). */
  public void refresh() {
    jdbi.useHandle(this::refresh);
  }

  private void refresh(Handle handle) {
    List<DataKeys.Row> rows = DataKeys.load(handle);
    Integer active = null;
    for (DataKeys.Row row : rows) {
      if (!dataKeys.containsKey(row.id())) {
        byte[] key = DataKeys.unwrap(row, kek, gcm);
        if (key != null) {
          dataKeys.put(row.id(), key);
        }
      }
      if (row.active()) {
        active = row.id();
      }
    }
    if (active == null || !dataKeys.containsKey(active)) {
      throw new C2Exception(
          Reason.KEK,
          "the key-encryption key does not open this key store: it was sealed under another KEK"
              + " (check the KEK file, variable or passphrase)");
    }
    activeId = active;
  }

  /** Seals {@code plaintext} for the row that {@code label} names, under the active data key. */
  public byte[] seal(byte[] plaintext, String label) {
    int id = activeId;
    byte[] out = new byte[OVERHEAD + plaintext.length];
    out[0] = FORMAT;
    ByteBuffer.wrap(out, 1, 4).putInt(id);
    return gcm.seal(dataKeys.get(id), plaintext, label.getBytes(UTF_8), out, HEADER);
  }

  /** Opens a sealed value; fails if it was altered or belongs to another row than {@code label}. */
  public byte[] open(byte[] sealed, String label) {
    if (sealed.length < OVERHEAD || sealed[0] != FORMAT) {
      throw new C2Exception(Reason.STORAGE, "corrupt sealed value in " + label);
    }
    int id = dataKeyId(sealed);
    byte[] key = dataKeys.get(id);
    if (key == null) {
      refresh();
      key = dataKeys.get(id);
      if (key == null) {
        throw new C2Exception(
            Reason.KEK,
            "the value in " + label + " is sealed under a data key this KEK cannot open");
      }
    }
    try {
      return gcm.open(key, sealed, HEADER, label.getBytes(UTF_8));
    } catch (AEADBadTagException e) {
      throw new C2Exception(
          Reason.STORAGE,
          "the sealed value in " + label + " was altered or belongs to another row");
    }
  }

  static int dataKeyId(byte[] sealed) {
    return ByteBuffer.wrap(sealed, 1, 4).getInt();
  }

  int activeId() {
    return activeId;
  }

  Jdbi jdbi() {
    return jdbi;
  }

  Kek kek() {
    return kek;
  }

  AesGcm gcm() {
    return gcm;
  }

  SecureRandom random() {
    return random;
  }

  Clock clock() {
    return clock;
  }

  @Override
  public void close() {
    dataKeys.values().forEach(key -> Arrays.fill(key, (byte) 0));
    dataKeys.clear();
    kek.close();
  }

  @Override
  public String toString() {
    return "Vault[active data key " + activeId + "]";
  }
}
