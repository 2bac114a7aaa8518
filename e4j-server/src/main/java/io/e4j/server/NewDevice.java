package io.e4j.server;

import java.util.Objects;

/**
 * A device to create. Creating a device that exists is an error unless {@link #replacing()} asks to
 * replace its key (its links are kept).
 */
public record NewDevice(DeviceRef device, DeviceCredential credential, boolean replace) {
  public NewDevice {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(credential, "credential");
  }

  public static NewDevice of(DeviceRef device, DeviceCredential credential) {
    return new NewDevice(device, credential, false);
  }

  public NewDevice replacing() {
    return new NewDevice(device, credential, true);
  }
}
