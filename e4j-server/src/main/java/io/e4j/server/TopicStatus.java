package io.e4j.server;

import java.time.Instant;
import java.util.List;

/**
 * How far a topic's current key has reached the devices linked to it, as they reported it (key
 * reports, an e4j protocol extension). Devices that do not report (Teserakt's clients) are linked
 * but never counted on the current key: C2 cannot know what they hold.
 *
 * @param linkedDevices devices linked to the topic
 * @param onCurrentKey linked devices that reported holding the topic's current key
 * @param reportingDevices linked devices that have reported at least once
 * @param behind linked devices not known to hold the current key, in device ID order, up to the
 *     number asked for
 * @param at when C2 counted
 */
public record TopicStatus(
    TopicInfo topic,
    long linkedDevices,
    long onCurrentKey,
    long reportingDevices,
    List<DeviceLag> behind,
    Instant at) {
  public TopicStatus {
    behind = List.copyOf(behind);
  }

  /** The share of linked devices on the current key, 0 to 1 (1 for a topic with no device). */
  public double convergence() {
    return linkedDevices == 0 ? 1.0 : (double) onCurrentKey / linkedDevices;
  }
}
