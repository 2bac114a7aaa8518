package io.e4j.server;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What C2 knows of a device's presence and keys, from the broker and from the device's own key
 * reports (an e4j protocol extension).
 *
 * @param lastSeen when C2 last heard of it: a report, or its control topic gaining a subscriber
 * @param subscribedAt when its control topic last gained a subscriber (brokers that tell C2)
 * @param lastReport when it last reported its keys; empty for a device that never did (Teserakt's
 *     clients do not report)
 * @param appliedCommandsThrough the newest command timestamp (epoch seconds) it reported applying
 * @param ownKeyCurrent whether its own key (and, in public-key mode, C2's key) matched C2's at its
 *     last report
 * @param linkedTopics topics it is linked to
 * @param topicsOnCurrentKey linked topics whose current key it reported holding
 * @param behind linked topics whose current key it is not known to hold, in name order, up to the
 *     number asked for
 * @param staleSince since when a linked topic's key has been unconfirmed for longer than the stale
 *     period; empty when it is not stale
 * @param unsentCommands commands waiting for the transport (pending or failed)
 * @param brokerCredentialIssuedAt when C2 issued the device the broker credential it holds (for
 *     devices that cannot derive their broker password); empty when it holds none
 */
public record DeviceStatus(
    DeviceInfo device,
    Optional<Instant> lastSeen,
    Optional<Instant> subscribedAt,
    Optional<Instant> lastReport,
    OptionalLong appliedCommandsThrough,
    Optional<Boolean> ownKeyCurrent,
    long linkedTopics,
    long topicsOnCurrentKey,
    List<TopicLag> behind,
    Optional<Instant> staleSince,
    long unsentCommands,
    Optional<Instant> brokerCredentialIssuedAt) {
  public DeviceStatus {
    behind = List.copyOf(behind);
  }

  /** Whether the device reports its keys (an e4j device that has connected at least once). */
  public boolean reports() {
    return lastReport.isPresent();
  }
}
