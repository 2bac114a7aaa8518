package io.e4j.server.internal.store;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The {@code c2_settings} table: settings fixed when the store is created (the crypto mode). */
public final class SettingsStore {
  private static final String CRYPTO_MODE = "crypto_mode";

  public Optional<String> cryptoMode(Handle handle) {
    return handle
        .createQuery("SELECT setting_value FROM c2_settings WHERE name = ?")
        .bind(0, CRYPTO_MODE)
        .mapTo(String.class)
        .findFirst();
  }

  public void setCryptoMode(Handle handle, String mode) {
    handle.execute(
        "INSERT INTO c2_settings (name, setting_value) VALUES (?, ?)", CRYPTO_MODE, mode);
  }
}
