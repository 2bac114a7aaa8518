package io.e4j.server.internal.vault;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/**
 * Moves a key store from one KEK to another while servers keep running on it.
 *
 * <ol>
 *   <li>A new data key, wrapped under the new KEK and (for the transition) under the old one,
 *       becomes the active one. Running servers still hold only the old KEK: the transitional wrap
 *       lets them load the new data key.
 *   <li>After a grace period, in which every server reloads its data keys and starts sealing under
 *       the new one, every sealed value is re-sealed under the new data key, until a full pass
 *       finds none left under an old one.
 *   <li>The old data keys and the transitional wrap are deleted: from then on only the new KEK
 *       opens the store.
 * </ol>
 *
 * Interrupted at any point, the store stays readable with the old KEK (and, after step 1, with the
 * new one); running rekey again finishes the job.
 */
public final class Rekey {
  private static final int BATCH = 500;

  private final Vault vault;
  private final Kek newKek;
  private final Consumer<String> progress;

  /** Uses {@code vault} (opened with the old KEK) to move the store under {@code newKek}. */
  public Rekey(Vault vault, Kek newKek, Consumer<String> progress) {
    this.vault = vault;
    this.newKek = newKek;
    this.progress = progress;
  }

  /** Runs all three steps; returns how many sealed values were re-sealed. */
  public long run(Duration grace) {
    int newId = introduceDataKey();
    progress.accept(
        "data key " + newId + " is active; waiting " + grace.toSeconds() + " s for servers");
    sleep(grace);
    long resealed = 0;
    long pass;
    do {
      pass = resealAll(newId);
      resealed += pass;
    } while (pass > 0);
    retireOldKeys(newId);
    progress.accept("re-sealed " + resealed + " values; only the new KEK opens the store now");
    return resealed;
  }

  private int introduceDataKey() {
    return vault
        .jdbi()
        .inTransaction(
            handle -> {
              List<DataKeys.Row> rows = DataKeys.load(handle);
              boolean newOpensSomething =
                  rows.stream()
                      .anyMatch(
                          row -> {
                            byte[] key = DataKeys.unwrap(row, newKek, vault.gcm());
                            if (key != null) {
                              Arrays.fill(key, (byte) 0);
                            }
                            return key != null;
                          });
              int newId = rows.stream().mapToInt(DataKeys.Row::id).max().orElse(0) + 1;
              if (newOpensSomething && rows.stream().anyMatch(DataKeys.Row::active)) {
                DataKeys.Row active =
                    rows.stream().filter(DataKeys.Row::active).findFirst().orElseThrow();
                byte[] key = DataKeys.unwrap(active, newKek, vault.gcm());
                if (key != null) {
                  // A previous rekey to this KEK was interrupted after step 1: go on from there.
                  Arrays.fill(key, (byte) 0);
                  return active.id();
                }
              }
              if (newOpensSomething) {
                throw new C2Exception(Reason.KEK, "the new KEK already opens this key store");
              }
              DataKeys.create(
                  handle,
                  vault.gcm(),
                  vault.random(),
                  vault.clock(),
                  newId,
                  List.of(newKek, vault.kek()));
              return newId;
            });
  }

  private long resealAll(int newId) {
    vault.refresh();
    long resealed = 0;
    for (SealedColumn column : SealedColumn.values()) {
      long inColumn = reseal(column, newId);
      if (inColumn > 0) {
        progress.accept("re-sealed " + inColumn + " values in " + column);
      }
      resealed += inColumn;
    }
    return resealed;
  }

  private long reseal(SealedColumn column, int newId) {
    Object after = column.lowestKey();
    long resealed = 0;
    while (true) {
      List<Update> updates = new ArrayList<>();
      Object from = after;
      Object last =
          vault
              .jdbi()
              .withHandle(
                  handle ->
                      handle
                          .createQuery(column.scan())
                          .bind("after", from)
                          .bind("limit", BATCH)
                          .reduceResultSet(
                              null,
                              (previous, rs, ctx) -> {
                                byte[] sealed = rs.getBytes(2);
                                if (sealed != null
                                    && sealed.length > 0
                                    && Vault.dataKeyId(sealed) != newId) {
                                  String label = column.label(rs);
                                  byte[] plain = vault.open(sealed, label);
                                  updates.add(
                                      new Update(
                                          rs.getObject(1), sealed, vault.seal(plain, label)));
                                  Arrays.fill(plain, (byte) 0);
                                }
                                return rs.getObject(1);
                              }));
      if (!updates.isEmpty()) {
        vault.jdbi().useTransaction(handle -> apply(handle, column, updates));
        resealed += updates.size();
      }
      if (last == null) {
        return resealed;
      }
      after = last;
    }
  }

  private static void apply(Handle handle, SealedColumn column, List<Update> updates) {
    var batch = handle.prepareBatch(column.update());
    for (Update update : updates) {
      batch
          .bind("resealed", update.resealed())
          .bind("key", update.key())
          .bind("sealed", update.sealed())
          .add();
    }
    batch.execute();
  }

  private void retireOldKeys(int newId) {
    String oldKekId = kekIdOfTransitionalWrap(newId);
    vault
        .jdbi()
        .useTransaction(
            handle -> {
              handle.execute("DELETE FROM data_key_wraps WHERE data_key_id <> ?", newId);
              handle.execute("DELETE FROM data_keys WHERE id <> ?", newId);
              if (oldKekId != null) {
                handle.execute(
                    "DELETE FROM data_key_wraps WHERE data_key_id = ? AND kek_id = ?",
                    newId,
                    oldKekId);
              }
            });
  }

  /** The wrap of the new data key that the new KEK does not open: the old KEK's. */
  private String kekIdOfTransitionalWrap(int newId) {
    return vault
        .jdbi()
        .withHandle(
            handle ->
                DataKeys.load(handle).stream()
                    .filter(row -> row.id() == newId)
                    .filter(
                        row -> {
                          byte[] key = DataKeys.unwrap(row, newKek, vault.gcm());
                          if (key != null) {
                            Arrays.fill(key, (byte) 0);
                          }
                          return key == null;
                        })
                    .map(DataKeys.Row::kekId)
                    .findFirst()
                    .orElse(null));
  }

  private static void sleep(Duration grace) {
    try {
      Thread.sleep(grace.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new C2Exception(Reason.KEK, "rekey interrupted; run it again to finish");
    }
  }

  private record Update(Object key, byte[] sealed, byte[] resealed) {}
}
