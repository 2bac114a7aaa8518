package io.e4j.server.internal.operations;

import io.e4j.server.AuditRecord;
import io.e4j.server.C2Event;
import io.e4j.server.CryptoMode;
import io.e4j.server.Delivery;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.Page;
import io.e4j.server.TopicInfo;
import io.e4j.server.Validation;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.outbox.Deliveries;
import io.e4j.server.internal.store.C2KeyStore;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.LinkStore;
import io.e4j.server.internal.store.Listing;
import io.e4j.server.internal.store.PublicKeyStore;
import io.e4j.server.internal.store.TopicStore;
import java.util.List;
import java.util.Optional;

/** The read side: listings, counts, events, the audit log and delivery status. */
final class Reads {
  private final Database database;
  private final DeviceStore devices;
  private final TopicStore topics;
  private final LinkStore links;
  private final PublicKeyStore publicKeys;
  private final C2KeyStore keyPairs;
  private final Journal journal;
  private final CryptoMode mode;

  Reads(
      Database database,
      DeviceStore devices,
      TopicStore topics,
      LinkStore links,
      PublicKeyStore publicKeys,
      C2KeyStore keyPairs,
      Journal journal,
      CryptoMode mode) {
    this.database = database;
    this.devices = devices;
    this.topics = topics;
    this.links = links;
    this.publicKeys = publicKeys;
    this.keyPairs = keyPairs;
    this.journal = journal;
    this.mode = mode;
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

  List<Delivery> deliveries(DeviceRef ref, int limit) {
    Listing.checkLimit(limit);
    return database.read(
        handle ->
            Deliveries.ofDevice(
                handle, ref.id().orElseGet(() -> devices.find(handle, ref).id()), limit));
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
