package io.e4j.server.node;

import io.e4j.server.C2Config;
import io.e4j.server.internal.broker.AccessChanges;
import io.e4j.server.internal.broker.AccessFollower;
import io.e4j.server.internal.change.Changes;
import io.e4j.server.internal.convergence.DevicePresence;
import io.e4j.server.internal.convergence.ReportIntake;
import io.e4j.server.internal.convergence.StaleWatch;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.operations.C2Operations;
import io.e4j.server.internal.store.C2KeyStore;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.LinkStore;
import io.e4j.server.internal.store.PresenceStore;
import io.e4j.server.internal.store.TopicStore;
import io.e4j.server.internal.transport.PresenceEvents;
import io.e4j.server.internal.transport.Transport;
import io.e4j.server.internal.vault.Vault;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * What C2 learns of devices beyond the broker's acknowledgements, wired together: their key reports
 * (taken from the transport), their presence (from the broker, when it tells), and who is stale;
 * and what the embedded broker learns from C2 (links and devices, for its access control).
 */
final class Convergence implements AutoCloseable {
  /** How often stale devices are looked for and the per-topic gauges counted, at most. */
  private static final Duration WATCH_EVERY = Duration.ofSeconds(30);

  /** ...and at least: a short stale period is checked more often. */
  private static final Duration WATCH_EVERY_AT_LEAST = Duration.ofSeconds(1);

  private final ReportIntake reports;
  private final DevicePresence presence;
  private final StaleWatch staleWatch;

  /** Tells the embedded broker of link and device changes; null without one. */
  private final AccessFollower access;

  private Convergence(
      ReportIntake reports, DevicePresence presence, StaleWatch staleWatch, AccessFollower access) {
    this.reports = reports;
    this.presence = presence;
    this.staleWatch = staleWatch;
    this.access = access;
  }

  static Convergence start(
      Database database,
      Vault vault,
      Journal journal,
      Changes changes,
      C2Operations operations,
      Transport transport,
      AccessChanges brokerAccess,
      MeterRegistry registry,
      Clock clock,
      C2Config config) {
    DeviceStore devices = new DeviceStore(vault, database);
    LinkStore links = new LinkStore(devices, new TopicStore(vault));
    PresenceStore presenceStore = new PresenceStore(database);
    ReportIntake reports =
        new ReportIntake(
            database,
            devices,
            links,
            presenceStore,
            new C2KeyStore(vault),
            journal,
            changes,
            operations,
            config.mode(),
            clock);
    transport.onReports(reports::received);
    DevicePresence presence =
        new DevicePresence(database, devices, presenceStore, operations, clock);
    transport.onPresence(events(presence));
    StaleWatch staleWatch =
        new StaleWatch(
            database,
            devices,
            presenceStore,
            journal,
            clock,
            config.delivery().staleAfter(),
            watchEvery(config.delivery().staleAfter()),
            Metrics.convergenceGauges(registry, reports));
    AccessFollower access =
        brokerAccess == AccessChanges.NONE ? null : new AccessFollower(journal, brokerAccess);
    return new Convergence(reports, presence, staleWatch, access);
  }

  /** A quarter of the stale period, between 1 and 30 seconds. */
  static Duration watchEvery(Duration staleAfter) {
    Duration quarter = staleAfter.dividedBy(4);
    if (quarter.compareTo(WATCH_EVERY_AT_LEAST) < 0) {
      return WATCH_EVERY_AT_LEAST;
    }
    return quarter.compareTo(WATCH_EVERY) > 0 ? WATCH_EVERY : quarter;
  }

  /** Where a broker's presence events go. */
  PresenceEvents presenceEvents() {
    return events(presence);
  }

  private static PresenceEvents events(DevicePresence presence) {
    return new PresenceEvents() {
      @Override
      public void subscribed(byte[] deviceId) {
        presence.subscribed(deviceId);
      }

      @Override
      public void gone(byte[] deviceId) {
        presence.gone(deviceId);
      }
    };
  }

  @Override
  public void close() {
    if (access != null) {
      access.close();
    }
    staleWatch.close();
    presence.close();
    reports.close();
  }
}
