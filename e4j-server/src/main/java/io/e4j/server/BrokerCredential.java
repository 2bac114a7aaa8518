package io.e4j.server;

import java.time.Instant;

/**
 * A broker credential C2 just issued to a device, for the embedded broker in {@code devices} access
 * mode: the device logs in with its hex ID (or name) as user name and {@link #secret} as password.
 * Shown once: C2 keeps only its hash. Hidden from {@code toString()}.
 *
 * @param device the device it was issued to
 * @param secret the credential: {@code e4b_} and 64 lower-case hex digits (32 random bytes)
 * @param issuedAt when it was issued
 */
public record BrokerCredential(DeviceInfo device, String secret, Instant issuedAt) {
  @Override
  public String toString() {
    return "BrokerCredential[" + device + ", issued " + issuedAt + ", secret hidden]";
  }
}
