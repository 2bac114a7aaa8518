package io.e4j.server;

import io.e4j.core.Keys;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Names a device by its 16-byte ID or by its name (from which, on creation, its ID is derived as E4
 * does: {@code SHA3-256(name)[0..16)}).
 */
public final class DeviceRef {
  private final byte[] id;
  private final String name;

  private DeviceRef(byte[] id, String name) {
    this.id = id;
    this.name = name;
  }

  public static DeviceRef id(byte[] id) {
    if (id == null || id.length != Keys.ID_SIZE) {
      throw new C2Exception(
          C2Exception.Reason.INVALID_ARGUMENT, "a device ID is " + Keys.ID_SIZE + " bytes");
    }
    return new DeviceRef(id.clone(), null);
  }

  /** A device ID written as 32 hex digits. */
  public static DeviceRef hexId(String hex) {
    try {
      return id(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new C2Exception(
          C2Exception.Reason.INVALID_ARGUMENT, "a device ID is 32 hex digits, got '" + hex + "'");
    }
  }

  public static DeviceRef name(String name) {
    Validation.deviceName(name);
    return new DeviceRef(null, name);
  }

  /** A device with an explicit ID and a name that need not derive it. */
  public static DeviceRef idAndName(byte[] id, String name) {
    Validation.deviceName(name);
    return new DeviceRef(id(id).id, name);
  }

  /** The ID given, or the one derived from the name. */
  public byte[] idOrDerived() {
    return id != null ? id.clone() : Keys.idFromName(name);
  }

  public Optional<byte[]> id() {
    return Optional.ofNullable(id).map(byte[]::clone);
  }

  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DeviceRef that
        && java.util.Arrays.equals(id, that.id)
        && java.util.Objects.equals(name, that.name);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(id) + java.util.Objects.hashCode(name);
  }

  @Override
  public String toString() {
    if (id == null) {
      return "device '" + name + "'";
    }
    return "device " + HexFormat.of().formatHex(id) + (name == null ? "" : " ('" + name + "')");
  }
}
