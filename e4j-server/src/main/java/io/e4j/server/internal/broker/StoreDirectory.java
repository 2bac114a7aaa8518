package io.e4j.server.internal.broker;

import io.e4j.core.KeyReports;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.LinkStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The embedded broker's questions answered from C2's tables: a device is named by its name or hex
 * ID; its broker password is the one an e4j device derives from its command key
 * (docs/key-reports.md, "broker password"); its topics are those it is linked to.
 */
public final class StoreDirectory implements DeviceDirectory {
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{32}");

  private final Database database;
  private final DeviceStore devices;
  private final LinkStore links;

  public StoreDirectory(Database database, DeviceStore devices, LinkStore links) {
    this.database = database;
    this.devices = devices;
    this.links = links;
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
   * The password derived from the device's command key, or from the key before its last change: a
   * device that was away has not applied its new key yet, and must log in to receive it. The old
   * key's password stays good until the next change.
   */
  @Override
  public boolean credentialMatches(byte[] deviceId, byte[] password) {
    byte[] current = database.read(handle -> devices.commandKey(handle, deviceId));
    Optional<byte[]> previous =
        database.read(handle -> devices.previousCommandKey(handle, deviceId));
    try {
      // Both compared, always: the time taken says nothing of which matched.
      boolean matchesCurrent = derivedFrom(current, password);
      boolean matchesPrevious = previous.map(key -> derivedFrom(key, password)).orElse(false);
      return matchesCurrent | matchesPrevious;
    } finally {
      Arrays.fill(current, (byte) 0);
      previous.ifPresent(key -> Arrays.fill(key, (byte) 0));
    }
  }

  private static boolean derivedFrom(byte[] commandKey, byte[] password) {
    byte[] expected = KeyReports.brokerPassword(commandKey).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, password);
  }

  @Override
  public boolean isLinked(byte[] deviceId, String topic) {
    return database.read(handle -> links.isLinked(handle, deviceId, topic));
  }
}
