package io.e4j.server.internal.broker;

import io.e4j.server.internal.store.BrokerCredentialStore;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.LinkStore;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The embedded broker's questions answered from C2's tables: a device is named by its name or hex
 * ID; its broker password is the one an e4j device derives from its command key
 * (docs/key-reports.md, "broker password"), or the credential C2 issued it; its topics are those it
 * is linked to.
 */
public final class StoreDirectory implements DeviceDirectory {
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{32}");

  private final Database database;
  private final DeviceStore devices;
  private final LinkStore links;
  private final BrokerCredentialStore issued;

  public StoreDirectory(
      Database database, DeviceStore devices, LinkStore links, BrokerCredentialStore issued) {
    this.database = database;
    this.devices = devices;
    this.links = links;
    this.issued = issued;
  }

  @Override
  public Optional<byte[]> deviceId(String username) {
    if (HEX_ID.matcher(username).matches()) {
      byte[] id = HexFormat.of().parseHex(username);
      if (database.read(handle -> devices.exists(handle, id))) {
        return Optional.of(id);
      }
    }
    return database.read(handle -> devices.idOfName(handle, username));
  }

  /**
   * The password derived from the device's command key, or from the key before its last change (a
   * device that was away has not applied its new key yet, and must log in to receive it; the old
   * key's password stays good until the next change), or the credential C2 issued the device. Read
   * in one transaction, all compared ({@link BrokerPasswords}).
   */
  @Override
  public boolean credentialMatches(byte[] deviceId, byte[] password) {
    Held held =
        database.read(
            handle ->
                new Held(
                    devices.commandKey(handle, deviceId),
                    devices.previousCommandKey(handle, deviceId),
                    issued.hash(handle, deviceId)));
    try {
      return BrokerPasswords.accepted(password, held.current, held.previous, held.issuedHash);
    } finally {
      Arrays.fill(held.current, (byte) 0);
      held.previous.ifPresent(key -> Arrays.fill(key, (byte) 0));
    }
  }

  /** What the device's login is checked against; the keys are erased after the check. */
  private record Held(byte[] current, Optional<byte[]> previous, Optional<byte[]> issuedHash) {}

  @Override
  public boolean isLinked(byte[] deviceId, String topic) {
    return database.read(handle -> links.isLinked(handle, deviceId, topic));
  }
}
