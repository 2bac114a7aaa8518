package io.e4j.cli.internal;

import io.e4j.api.v1.DeviceRef;
import java.util.Locale;
import picocli.CommandLine;

/** A device on the command line: its name, or {@code id:} and its 32-hex-digit ID. */
public final class DeviceRefs implements CommandLine.ITypeConverter<DeviceRef> {
  public static final String ID_PREFIX = "id:";

  @Override
  public DeviceRef convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  public static DeviceRef parse(String value) {
    if (value.startsWith(ID_PREFIX)) {
      return DeviceRef.newBuilder().setId(deviceId(value.substring(ID_PREFIX.length()))).build();
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a device name cannot be empty");
    }
    return DeviceRef.newBuilder().setName(value).build();
  }

  /** A device ID as C2 writes it: 32 lower-case hex digits. */
  public static String deviceId(String hex) {
    String id = hex.strip().toLowerCase(Locale.ROOT);
    if (!id.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException(
          "'"
              + hex
              + "' is not a device ID (32 hex digits, e.g. id:00112233445566778899aabbccddeeff)");
    }
    return id;
  }

  /** How a listing shows a device: its name, or its ID when it has none. */
  public static String show(DeviceRef device) {
    return device.getName().isEmpty() ? ID_PREFIX + device.getId() : device.getName();
  }
}
