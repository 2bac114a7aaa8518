package io.e4j.server.internal.broker;

import io.e4j.server.C2Event;
import io.e4j.server.EventType;
import io.e4j.server.internal.journal.Journal;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows C2's event log and tells the embedded broker what changed for connected devices: a link
 * made or undone, a topic or a device removed, a device's key (and so its broker password) changed,
 * a broker credential issued (replacing the last) or revoked. The event log is the one place every
 * change is written, whichever node or path made it.
 */
public final class AccessFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AccessFollower.class);
  private static final int PAGE = 500;

  private final Journal journal;
  private final AccessChanges broker;
  private final Thread thread;
  private volatile boolean closed;
  private long after;

  public AccessFollower(Journal journal, AccessChanges broker) {
    this.journal = journal;
    this.broker = broker;
    this.after = journal.lastSequence();
    this.thread = new Thread(this::run, "e4j-broker-access");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        List<C2Event> events = journal.events(after, PAGE);
        for (C2Event event : events) {
          apply(event);
          after = event.sequence();
        }
        if (events.size() < PAGE) {
          journal.awaitCommitted(Duration.ofSeconds(1));
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("The embedded broker may not follow C2's last changes: {}", e.getMessage());
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private void apply(C2Event event) {
    apply(event, broker);
  }

  /** What an event changes in the broker; nothing for events that change no access. */
  static void apply(C2Event event, AccessChanges broker) {
    if (event.type() == EventType.TOPIC_REMOVED) {
      // It names no device: the links went with the topic.
      event.topic().ifPresent(broker::topicRemoved);
      return;
    }
    if (event.deviceId().isEmpty()) {
      return;
    }
    byte[] device = HexFormat.of().parseHex(event.deviceId().get());
    switch (event.type()) {
      case LINKED -> event.topic().ifPresent(topic -> broker.linked(device, topic));
      case UNLINKED -> event.topic().ifPresent(topic -> broker.unlinked(device, topic));
      case DEVICE_REMOVED -> broker.deviceRemoved(device);
      case DEVICE_KEY_CHANGED, DEVICE_RESET, BROKER_CREDENTIAL_ISSUED, BROKER_CREDENTIAL_REVOKED ->
          broker.credentialsChanged(device);
      default -> {}
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
