package io.e4j.server.internal.operations;

import io.e4j.core.Keys;
import io.e4j.server.BrokerCredential;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.EventType;
import io.e4j.server.internal.change.Change;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.store.BrokerCredentialStore;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.KnownDevice;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The changes of broker credentials: C2 issues a device that cannot derive its broker password
 * (Teserakt's clients) a random one, or revokes it. The credential leaves C2 once, in the issuing
 * call's result; the table, the audit log and the events never hold it.
 */
final class BrokerCredentials {
  /** Tells a credential apart from the 43-character derived password, and to secret scanners. */
  static final String PREFIX = "e4b_";

  /** 32 random bytes in lower-case hex: no characters to misread, to escape or to mistype. */
  static final Pattern FORM = Pattern.compile(Pattern.quote(PREFIX) + "[0-9a-f]{64}");

  private final DeviceStore devices;
  private final BrokerCredentialStore credentials;

  BrokerCredentials(DeviceStore devices, BrokerCredentialStore credentials) {
    this.devices = devices;
    this.credentials = credentials;
  }

  /** A new random credential (256 bits), in its text form. */
  static String newSecret() {
    byte[] random = Keys.randomKey();
    try {
      return PREFIX + HexFormat.of().formatHex(random);
    } finally {
      Arrays.fill(random, (byte) 0);
    }
  }

  /** The hash C2 keeps of {@code secret}: of the bytes the device sends as its MQTT password. */
  static byte[] hashOf(String secret) {
    return BrokerCredentialStore.hash(secret.getBytes(StandardCharsets.US_ASCII));
  }

  /** Issues the device a new credential, replacing the one it had. */
  Change<BrokerCredential> issue(DeviceRef ref) {
    return Change.of(
        "IssueBrokerCredential",
        Targets.device(ref),
        context -> {
          KnownDevice device = devices.find(context.handle(), ref);
          String secret = newSecret();
          boolean replaced = credentials.hash(context.handle(), device.id()).isPresent();
          credentials.put(context.handle(), device.id(), hashOf(secret), context.now());
          String detail = replaced ? "replaced the device's previous credential" : null;
          context.auditDetail(detail);
          context.event(
              Entry.device(EventType.BROKER_CREDENTIAL_ISSUED, device.id(), device.name())
                  .withDetail(detail));
          DeviceInfo info = devices.info(context.handle(), device.id());
          return new BrokerCredential(info, secret, context.now());
        });
  }

  /** Revokes the device's credential; NOT_FOUND if it has none. */
  Change<Void> revoke(DeviceRef ref) {
    return Change.of(
        "RevokeBrokerCredential",
        Targets.device(ref),
        context -> {
          KnownDevice device = devices.find(context.handle(), ref);
          if (!credentials.delete(context.handle(), device.id())) {
            throw new C2Exception(
                Reason.NOT_FOUND, Targets.device(ref) + " has no broker credential to revoke");
          }
          context.event(
              Entry.device(EventType.BROKER_CREDENTIAL_REVOKED, device.id(), device.name()));
          return null;
        });
  }
}
