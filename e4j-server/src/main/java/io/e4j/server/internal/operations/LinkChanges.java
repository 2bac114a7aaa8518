package io.e4j.server.internal.operations;

import io.e4j.core.Commands;
import io.e4j.server.BatchItem;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.DeviceRef;
import io.e4j.server.EventType;
import io.e4j.server.Validation;
import io.e4j.server.internal.change.Change;
import io.e4j.server.internal.change.ChangeContext;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.KnownDevice;
import io.e4j.server.internal.store.LinkStore;
import io.e4j.server.internal.store.TopicStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The changes of links between devices and topics: link one, link many, unlink. */
final class LinkChanges {
  private static final HexFormat HEX = HexFormat.of();

  private final DeviceStore devices;
  private final TopicStore topics;
  private final LinkStore links;

  LinkChanges(DeviceStore devices, TopicStore topics, LinkStore links) {
    this.devices = devices;
    this.topics = topics;
    this.links = links;
  }

  /** Links a device to a topic and sends it the topic's key (again, if already linked). */
  Change<Void> link(DeviceRef ref, String topic) {
    return Change.<Void>of(
            "Link",
            Targets.pair(Targets.device(ref), topic),
            context -> {
              linkEach(context, List.of(ref), topic, true);
              return null;
            })
        .checking(() -> Validation.topic(topic))
        .sendingCommands();
  }

  /**
   * Links 1 to 1,000 devices to a topic, each linked or refused (not found) on its own; the whole
   * change is refused if the topic does not exist.
   */
  Change<List<BatchItem<String>>> linkAll(List<DeviceRef> refs, String topic) {
    return Change.of(
            "LinkDevices",
            Targets.pair(refs.size() + " devices", topic),
            context -> linkEach(context, refs, topic, false))
        .checking(
            () -> {
              DeviceChanges.checkBatch(refs.size());
              Validation.topic(topic);
            })
        .sendingCommands();
  }

  /**
   * Links each device to the topic at the change's position, and enqueues the topic's key for them
   * all at the next. A device that does not exist is refused on its own, or refuses the whole
   * change if {@code strict}.
   *
   * @return the outcome for each device, its hex ID if linked
   */
  private List<BatchItem<String>> linkEach(
      ChangeContext context, List<DeviceRef> refs, String topic, boolean strict) {
    long position = context.position();
    byte[] topicId = topics.lock(context.handle(), topic);
    List<BatchItem<String>> results = new ArrayList<>();
    List<byte[]> linked = new ArrayList<>();
    for (int i = 0; i < refs.size(); i++) {
      KnownDevice device;
      try {
        device = devices.find(context.handle(), refs.get(i));
      } catch (C2Exception e) {
        if (strict) {
          throw e;
        }
        results.add(BatchItem.refused(i, e));
        continue;
      }
      byte[] deviceId = device.id();
      if (linked.stream().noneMatch(id -> Arrays.equals(id, deviceId))) {
        linked.add(deviceId);
        context.event(Entry.link(EventType.LINKED, deviceId, device.name(), topic));
      }
      results.add(BatchItem.done(i, HEX.formatHex(deviceId)));
    }
    if (linked.isEmpty()) {
      return results;
    }
    links.linkAll(context.handle(), topicId, linked, position, context.now());
    byte[] key = topics.key(context.handle(), topicId);
    try {
      context.outbox().toDevices(linked, Commands.setTopicKey(key, topic));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    return results;
  }

  /** Unlinks a device from a topic and tells it to drop the key. */
  Change<Void> unlink(DeviceRef ref, String topic) {
    return Change.<Void>of(
            "Unlink",
            Targets.pair(Targets.device(ref), topic),
            context -> {
              byte[] topicId = topics.lock(context.handle(), topic);
              KnownDevice device = devices.find(context.handle(), ref);
              if (!links.unlink(context.handle(), device.id(), topicId)) {
                throw new C2Exception(
                    Reason.NOT_FOUND, ref + " is not linked to topic '" + topic + "'");
              }
              context.outbox().toDevice(device.id(), List.of(Commands.removeTopic(topic)));
              context.event(Entry.link(EventType.UNLINKED, device.id(), device.name(), topic));
              return null;
            })
        .checking(() -> Validation.topic(topic))
        .sendingCommands();
  }
}
