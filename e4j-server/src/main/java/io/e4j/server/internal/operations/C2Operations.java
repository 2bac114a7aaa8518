package io.e4j.server.internal.operations;

import io.e4j.server.AuditRecord;
import io.e4j.server.BatchItem;
import io.e4j.server.BrokerCredential;
import io.e4j.server.C2Event;
import io.e4j.server.C2Exception;
import io.e4j.server.CreatedDevice;
import io.e4j.server.CryptoMode;
import io.e4j.server.Delivery;
import io.e4j.server.DeviceInfo;
import io.e4j.server.DeviceRef;
import io.e4j.server.DeviceStatus;
import io.e4j.server.NewDevice;
import io.e4j.server.Page;
import io.e4j.server.TopicInfo;
import io.e4j.server.TopicStatus;
import io.e4j.server.UnprotectedMessage;
import io.e4j.server.internal.change.Changes;
import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.store.BrokerCredentialStore;
import io.e4j.server.internal.store.C2KeyStore;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.store.DeviceStore;
import io.e4j.server.internal.store.LinkStore;
import io.e4j.server.internal.store.PresenceStore;
import io.e4j.server.internal.store.PublicKeyStore;
import io.e4j.server.internal.store.TopicStore;
import io.e4j.server.internal.vault.Vault;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link io.e4j.server.C2Service}, the one façade: each mutation is a change of one aggregate
 * (devices, topics, links, public keys, C2's key), made through {@link Changes} in the caller's
 * name; reads go to the read side.
 */
public final class C2Operations implements CallerService {
  private final Parts parts;
  private final Caller caller;

  /** What every caller's operations share. */
  private record Parts(
      CryptoMode mode,
      Changes changes,
      DeviceChanges devices,
      TopicChanges topics,
      LinkChanges links,
      PublicKeyChanges publicKeys,
      BrokerCredentials brokerCredentials,
      C2Keys c2Keys,
      Messages messages,
      Reads reads) {}

  private C2Operations(Parts parts, Caller caller) {
    this.parts = parts;
    this.caller = caller;
  }

  /** C2's operations on {@code database}, made by the server itself until {@link #as} says. */
  public static C2Operations create(
      Database database,
      Vault vault,
      Journal journal,
      Changes changes,
      Clock clock,
      CryptoMode mode) {
    DeviceStore devices = new DeviceStore(vault, database);
    TopicStore topics = new TopicStore(vault);
    LinkStore links = new LinkStore(devices, topics);
    PublicKeyStore publicKeys = new PublicKeyStore(devices);
    C2KeyStore keyPairs = new C2KeyStore(vault);
    C2Keys c2Keys = new C2Keys(keyPairs, devices, mode);
    BrokerCredentialStore brokerCredentials = new BrokerCredentialStore(database);
    return new C2Operations(
        new Parts(
            mode,
            changes,
            new DeviceChanges(devices, topics, links, publicKeys, c2Keys, mode),
            new TopicChanges(topics),
            new LinkChanges(devices, topics, links),
            new PublicKeyChanges(devices, publicKeys, mode),
            new BrokerCredentials(devices, brokerCredentials),
            c2Keys,
            new Messages(database, topics, devices, mode, clock),
            new Reads(
                database,
                devices,
                topics,
                links,
                publicKeys,
                new PresenceStore(database),
                brokerCredentials,
                keyPairs,
                journal,
                mode,
                clock)),
        Caller.LOCAL);
  }

  /** PK mode, first start: C2's first key pair. */
  public void ensureC2KeyPair(Database database, Clock clock) {
    parts.c2Keys().ensureKeyPair(database, clock);
  }

  @Override
  public Caller caller() {
    return caller;
  }

  @Override
  public C2Operations as(Caller caller) {
    return new C2Operations(parts, caller);
  }

  @Override
  public <T> T argument(String action, String target, Supplier<T> read) {
    try {
      return read.get();
    } catch (C2Exception e) {
      parts.changes().refused(caller, action, target, e);
      throw e;
    }
  }

  @Override
  public CryptoMode mode() {
    return parts.mode();
  }

  // --- changes --------------------------------------------------------------------------------

  /**
   * C2, on its own: sends a device what its key report showed it lacks (its last key change again
   * if it reported under its previous key, the current keys of linked topics in {@code
   * topicsBehind}, RemoveTopic for the unlinked topic hashes it still holds).
   */
  public void catchUp(
      byte[] deviceId,
      boolean ownKeyBehind,
      List<byte[]> topicsBehind,
      List<byte[]> unlinkedTopics) {
    parts
        .changes()
        .make(
            Caller.C2,
            parts.devices().catchUp(deviceId, ownKeyBehind, topicsBehind, unlinkedTopics));
  }

  /**
   * C2, on its own: a device that may have missed commands while away since {@code since} gets
   * again what it needs (see {@link DeviceChanges#welcomeBack}).
   */
  public void welcomeBack(byte[] deviceId, Instant since) {
    parts.changes().make(Caller.C2, parts.devices().welcomeBack(deviceId, since));
  }

  @Override
  public CreatedDevice createDevice(NewDevice device) {
    return parts.changes().make(caller, parts.devices().create(device));
  }

  @Override
  public List<BatchItem<CreatedDevice>> createDevices(List<NewDevice> devices) {
    return parts.changes().make(caller, parts.devices().createAll(devices));
  }

  @Override
  public void removeDevice(DeviceRef device) {
    parts.changes().make(caller, parts.devices().remove(device));
  }

  @Override
  public void newDeviceKey(DeviceRef device) {
    parts.changes().make(caller, parts.devices().newKey(device));
  }

  @Override
  public void resetDevice(DeviceRef device) {
    parts.changes().make(caller, parts.devices().reset(device));
  }

  @Override
  public void resyncDevice(DeviceRef device) {
    parts.changes().make(caller, parts.devices().resync(device));
  }

  @Override
  public BrokerCredential issueBrokerCredential(DeviceRef device) {
    return parts.changes().make(caller, parts.brokerCredentials().issue(device));
  }

  @Override
  public void revokeBrokerCredential(DeviceRef device) {
    parts.changes().make(caller, parts.brokerCredentials().revoke(device));
  }

  @Override
  public TopicInfo createTopic(String topic) {
    return parts.changes().make(caller, parts.topics().create(topic));
  }

  @Override
  public void removeTopic(String topic) {
    parts.changes().make(caller, parts.topics().remove(topic));
  }

  @Override
  public TopicInfo rotateTopicKey(String topic) {
    return parts.changes().make(caller, parts.topics().rotate(topic));
  }

  @Override
  public void link(DeviceRef device, String topic) {
    parts.changes().make(caller, parts.links().link(device, topic));
  }

  @Override
  public List<BatchItem<String>> linkAll(List<DeviceRef> devices, String topic) {
    return parts.changes().make(caller, parts.links().linkAll(devices, topic));
  }

  @Override
  public void unlink(DeviceRef device, String topic) {
    parts.changes().make(caller, parts.links().unlink(device, topic));
  }

  @Override
  public void sendPublicKey(DeviceRef subject, DeviceRef holder) {
    parts.changes().make(caller, parts.publicKeys().send(subject, holder));
  }

  @Override
  public void removePublicKey(DeviceRef subject, DeviceRef holder) {
    parts.changes().make(caller, parts.publicKeys().remove(subject, holder));
  }

  @Override
  public void resetPublicKeys(DeviceRef holder) {
    parts.changes().make(caller, parts.publicKeys().reset(holder));
  }

  @Override
  public void newC2Key() {
    parts.changes().make(caller, parts.c2Keys().newKeyPair());
  }

  // --- messages: they change nothing, and each is audited --------------------------------------

  @Override
  public byte[] protectMessage(String topic, byte[] payload) {
    return parts
        .changes()
        .audited(caller, "ProtectMessage", topic, () -> parts.messages().protect(topic, payload));
  }

  @Override
  public UnprotectedMessage unprotectMessage(String topic, byte[] message) {
    return parts
        .changes()
        .audited(
            caller, "UnprotectMessage", topic, () -> parts.messages().unprotect(topic, message));
  }

  // --- reads ----------------------------------------------------------------------------------

  @Override
  public DeviceInfo device(DeviceRef device) {
    return parts.reads().device(device);
  }

  @Override
  public Page<DeviceInfo> devices(String namePrefix, String cursor, int limit) {
    return parts.reads().devices(namePrefix, cursor, limit);
  }

  @Override
  public long deviceCount() {
    return parts.reads().deviceCount();
  }

  @Override
  public TopicInfo topic(String topic) {
    return parts.reads().topic(topic);
  }

  @Override
  public Page<TopicInfo> topics(String namePrefix, String cursor, int limit) {
    return parts.reads().topics(namePrefix, cursor, limit);
  }

  @Override
  public long topicCount() {
    return parts.reads().topicCount();
  }

  @Override
  public Page<TopicInfo> topicsOf(DeviceRef device, String cursor, int limit) {
    return parts.reads().topicsOf(device, cursor, limit);
  }

  @Override
  public long topicCountOf(DeviceRef device) {
    return parts.reads().topicCountOf(device);
  }

  @Override
  public Page<DeviceInfo> devicesOf(String topic, String cursor, int limit) {
    return parts.reads().devicesOf(topic, cursor, limit);
  }

  @Override
  public long deviceCountOf(String topic) {
    return parts.reads().deviceCountOf(topic);
  }

  @Override
  public Page<DeviceInfo> publicKeysHeldBy(DeviceRef holder, String cursor, int limit) {
    return parts.reads().publicKeysHeldBy(holder, cursor, limit);
  }

  @Override
  public byte[] c2PublicKey() {
    return parts.reads().c2PublicKey();
  }

  @Override
  public List<C2Event> events(long after, int limit) {
    return parts.reads().events(after, limit);
  }

  @Override
  public long lastEventSequence() {
    return parts.reads().lastEventSequence();
  }

  @Override
  public List<AuditRecord> audit(long before, int limit, Optional<String> actor) {
    return parts.reads().audit(before, limit, actor);
  }

  @Override
  public List<Delivery> deliveries(DeviceRef device, int limit) {
    return parts.reads().deliveries(device, limit);
  }

  @Override
  public TopicStatus topicStatus(String topic, int behindLimit) {
    return parts.reads().topicStatus(topic, behindLimit);
  }

  @Override
  public DeviceStatus deviceStatus(DeviceRef device, int behindLimit) {
    return parts.reads().deviceStatus(device, behindLimit);
  }

  @Override
  public long undeliveredCount() {
    return parts.reads().undeliveredCount();
  }

  @Override
  public List<String> deviceNamesAt(long offset, int count) {
    return parts.reads().deviceNamesAt(offset, count);
  }

  @Override
  public List<String> topicNamesAt(long offset, int count) {
    return parts.reads().topicNamesAt(offset, count);
  }

  @Override
  public List<String> topicNamesOfAt(DeviceRef ref, long offset, int count) {
    return parts.reads().topicNamesOfAt(ref, offset, count);
  }

  @Override
  public List<String> deviceNamesOfAt(String topic, long offset, int count) {
    return parts.reads().deviceNamesOfAt(topic, offset, count);
  }
}
