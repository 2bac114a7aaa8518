package io.e4j.server.internal.operations;

import io.e4j.server.AuditRecord;
import io.e4j.server.C2Event;
import io.e4j.server.C2Exception;
import io.e4j.server.CryptoMode;
import io.e4j.server.Delivery;
import io.e4j.server.DeliveryStatus;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceLag;
import io.e4j.server.DeviceRef;
import io.e4j.server.DeviceStatus;
import io.e4j.server.Page;
import io.e4j.server.TopicInfo;
import io.e4j.server.TopicStatus;
import io.e4j.server.Validation;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.outbox.Deliveries;
import io.e4j.server.internal.store.BrokerCredentialStore;
import io.e4j.server.internal.store.C2KeyStore;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.LinkStore;
import io.e4j.server.internal.store.Listing;
import io.e4j.server.internal.store.PresenceStore;
import io.e4j.server.internal.store.PublicKeyStore;
import io.e4j.server.internal.store.TopicStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The read side: listings, counts, events, the audit log and delivery status. */
final class Reads {
  private final Database database;
  private final DeviceStore devices;
  private final TopicStore topics;
  private final LinkStore links;
  private final PublicKeyStore publicKeys;
  private final PresenceStore presence;
  private final BrokerCredentialStore brokerCredentials;
  private final C2KeyStore keyPairs;
  private final Journal journal;
  private final CryptoMode mode;
  private final Clock clock;

  Reads(
      Database database,
      DeviceStore devices,
      TopicStore topics,
      LinkStore links,
      PublicKeyStore publicKeys,
      PresenceStore presence,
      BrokerCredentialStore brokerCredentials,
      C2KeyStore keyPairs,
      Journal journal,
      CryptoMode mode,
      Clock clock) {
    this.database = database;
    this.devices = devices;
    this.topics = topics;
    this.links = links;
    this.publicKeys = publicKeys;
    this.presence = presence;
    this.brokerCredentials = brokerCredentials;
    this.keyPairs = keyPairs;
    this.journal = journal;
    this.mode = mode;
    this.clock = clock;
  }

  DeviceInfo device(DeviceRef ref) {
    return database.read(handle -> devices.info(handle, devices.find(handle, ref).id()));
  }

  Page<DeviceInfo> devices(String namePrefix, String cursor, int limit) {
    Listing.checkLimit(limit);
    return database.read(handle -> devices.page(handle, namePrefix, cursor, limit));
  }

  long deviceCount() {
    return database.read(devices::count);
  }

  TopicInfo topic(String topic) {
    Validation.topic(topic);
    return database.read(handle -> topics.info(handle, topic));
  }

  Page<TopicInfo> topics(String namePrefix, String cursor, int limit) {
    Listing.checkLimit(limit);
    Listing.cursorBytes(cursor);
    return database.read(handle -> topics.page(handle, namePrefix, cursor, limit));
  }

  long topicCount() {
    return database.read(topics::count);
  }

  Page<TopicInfo> topicsOf(DeviceRef ref, String cursor, int limit) {
    Listing.checkLimit(limit);
    Listing.cursorBytes(cursor);
    return database.read(
        handle -> links.topicsOf(handle, devices.find(handle, ref).id(), cursor, limit));
  }

  long topicCountOf(DeviceRef ref) {
    return database.read(handle -> links.topicCountOf(handle, devices.find(handle, ref).id()));
  }

  Page<DeviceInfo> devicesOf(String topic, String cursor, int limit) {
    Validation.topic(topic);
    Listing.checkLimit(limit);
    byte[] after = Listing.cursorBytes(cursor);
    return database.read(
        handle -> links.devicesOf(handle, topics.idOf(handle, topic), after, limit));
  }

  long deviceCountOf(String topic) {
    Validation.topic(topic);
    return database.read(handle -> links.deviceCountOf(handle, topics.idOf(handle, topic)));
  }

  Page<DeviceInfo> publicKeysHeldBy(DeviceRef holder, String cursor, int limit) {
    Modes.requirePublicKey(mode, "public keys");
    Listing.checkLimit(limit);
    byte[] after = Listing.cursorBytes(cursor);
    return database.read(
        handle -> publicKeys.heldBy(handle, devices.find(handle, holder).id(), after, limit));
  }

  byte[] c2PublicKey() {
    Modes.requirePublicKey(mode, "a C2 key");
    return database.read(keyPairs::publicKey);
  }

  List<C2Event> events(long after, int limit) {
    Listing.checkLimit(limit);
    return journal.events(after, limit);
  }

  long lastEventSequence() {
    return journal.lastSequence();
  }

  List<AuditRecord> audit(long before, int limit, Optional<String> actor) {
    Listing.checkLimit(limit);
    return journal.audit(before, limit, actor);
  }

  /**
   * A device's recent commands; one the transport took is confirmed once the device reported
   * applying commands up to the time it was sent.
   */
  List<Delivery> deliveries(DeviceRef ref, int limit) {
    Listing.checkLimit(limit);
    return database.read(
        handle -> {
          byte[] id = ref.id().orElseGet(() -> devices.find(handle, ref).id());
          OptionalLong appliedThrough = presence.presence(handle, id).reportedCommandTime();
          return Deliveries.ofDevice(handle, id, limit).stream()
              .map(delivery -> confirmedIfApplied(delivery, appliedThrough))
              .toList();
        });
  }

  private static Delivery confirmedIfApplied(Delivery delivery, OptionalLong appliedThrough) {
    boolean applied =
        delivery.status() == DeliveryStatus.SENT
            && appliedThrough.isPresent()
            && delivery.sentAt().isPresent()
            && delivery.sentAt().get().getEpochSecond() <= appliedThrough.getAsLong();
    return applied
        ? new Delivery(
            delivery.position(),
            delivery.deviceId(),
            delivery.command(),
            DeliveryStatus.CONFIRMED,
            delivery.attempts(),
            delivery.lastError(),
            delivery.createdAt(),
            delivery.sentAt())
        : delivery;
  }

  TopicStatus topicStatus(String topic, int behindLimit) {
    Validation.topic(topic);
    checkBehindLimit(behindLimit);
    return database.read(
        handle -> {
          TopicInfo info = topics.info(handle, topic);
          byte[] id = topics.idOf(handle, topic);
          long linked = links.deviceCountOf(handle, id);
          long current = presence.onVersion(handle, id, info.keyVersion());
          List<DeviceLag> behind =
              behindLimit == 0 || current == linked
                  ? List.of()
                  : presence.behindOn(handle, id, info.keyVersion(), info.rotatedAt(), behindLimit);
          return new TopicStatus(
              info, linked, current, presence.reportingOf(handle, id), behind, clock.instant());
        });
  }

  DeviceStatus deviceStatus(DeviceRef ref, int behindLimit) {
    checkBehindLimit(behindLimit);
    return database.read(
        handle -> {
          byte[] id = devices.find(handle, ref).id();
          PresenceStore.Presence seen = presence.presence(handle, id);
          return new DeviceStatus(
              devices.info(handle, id),
              seen.lastSeen(),
              seen.subscribedAt(),
              seen.reportedAt(),
              seen.reportedCommandTime(),
              seen.ownKeyCurrent(),
              links.topicCountOf(handle, id),
              presence.currentTopicsOf(handle, id),
              behindLimit == 0 ? List.of() : presence.behindOf(handle, id, behindLimit),
              seen.staleSince(),
              Deliveries.unsentOf(handle, id),
              brokerCredentials.issuedAt(handle, id));
        });
  }

  private static void checkBehindLimit(int limit) {
    if (limit < 0 || limit > Listing.MAX_PAGE) {
      throw new C2Exception(
          C2Exception.Reason.INVALID_ARGUMENT,
          "list 0 to " + Listing.MAX_PAGE + " devices or topics behind, not " + limit);
    }
  }

  long undeliveredCount() {
    return database.read(Deliveries::undelivered);
  }

  // --- offset listings, for the compatibility routes of Teserakt's C2 -------------------------

  List<String> deviceNamesAt(long offset, int count) {
    return database.read(handle -> devices.namesAt(handle, offset, count));
  }

  List<String> topicNamesAt(long offset, int count) {
    return database.read(handle -> topics.namesAt(handle, offset, count));
  }

  List<String> topicNamesOfAt(DeviceRef ref, long offset, int count) {
    return database.read(
        handle -> links.topicNamesOfAt(handle, devices.find(handle, ref).id(), offset, count));
  }

  List<String> deviceNamesOfAt(String topic, long offset, int count) {
    Validation.topic(topic);
    return database.read(
        handle -> links.deviceNamesOfAt(handle, topics.idOf(handle, topic), offset, count));
  }
}
