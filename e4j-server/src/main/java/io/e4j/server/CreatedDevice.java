package io.e4j.server;

import java.util.Optional;

/**
 * A device just created, with the key C2 generated for it when asked ({@link
 * DeviceCredential.Generate}): shown once, never stored by C2 in PK mode.
 */
public record CreatedDevice(DeviceInfo device, Optional<byte[]> generatedKey) {
  @Override
  public Optional<byte[]> generatedKey() {
    return generatedKey.map(byte[]::clone);
  }

  @Override
  public String toString() {
    return "CreatedDevice[" + device + (generatedKey.isPresent() ? ", generated key hidden]" : "]");
  }
}
