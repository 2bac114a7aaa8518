package io.e4j.server.internal.operations;

import io.e4j.core.Commands;
import io.e4j.core.Keys;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.EventType;
import io.e4j.server.TopicInfo;
import io.e4j.server.Validation;
import io.e4j.server.internal.change.Change;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.store.TopicStore;

/** The changes of topics: create, remove, rotate. */
final class TopicChanges {
  private final TopicStore topics;

  TopicChanges(TopicStore topics) {
    this.topics = topics;
  }

  /** A new topic with a random key. */
  Change<TopicInfo> create(String topic) {
    byte[] key = Keys.randomKey();
    return Change.of(
            "CreateTopic",
            topic,
            context -> {
              byte[] id = Keys.topicHash(topic);
              if (topics.exists(context.handle(), id)) {
                throw new C2Exception(
                    Reason.ALREADY_EXISTS, "topic '" + topic + "' exists already");
              }
              topics.insert(context.handle(), id, topic, key, context.now());
              context.event(Entry.topic(EventType.TOPIC_CREATED, topic));
              return topics.info(context.handle(), topic);
            })
        .checking(() -> Validation.topic(topic))
        .erasing(key);
  }

  /** Forgets a topic; every device linked to it is told to drop its key. */
  Change<Void> remove(String topic) {
    return Change.<Void>of(
            "RemoveTopic",
            topic,
            context -> {
              byte[] id = topics.lock(context.handle(), topic);
              int told = context.outbox().toDevicesLinkedTo(id, Commands.removeTopic(topic));
              topics.delete(context.handle(), id);
              context.event(Entry.topic(EventType.TOPIC_REMOVED, topic).withDeviceCount(told));
              return null;
            })
        .checking(() -> Validation.topic(topic))
        .sendingCommands();
  }

  /** A new random key, sent to every device linked to the topic as a rotation. */
  Change<TopicInfo> rotate(String topic) {
    byte[] key = Keys.randomKey();
    return Change.of(
            "RotateTopic",
            topic,
            context -> {
              byte[] id = topics.lock(context.handle(), topic);
              topics.rotate(context.handle(), id, key, context.now());
              context.outbox().rotation(id, Commands.setTopicKey(key, topic));
              TopicInfo info = topics.info(context.handle(), topic);
              context.event(
                  Entry.topic(EventType.TOPIC_ROTATED, topic)
                      .withDetail("key version " + info.keyVersion()));
              return info;
            })
        .checking(() -> Validation.topic(topic))
        .sendingCommands()
        .erasing(key);
  }
}
