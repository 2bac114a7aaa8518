package io.e4j.server;

import java.util.List;
import java.util.Optional;

/**
 * Every C2 operation. Each mutating call commits its state change and the commands it implies in
 * one transaction; delivery happens afterwards, from the outbox, with retries until the transport
 * acknowledges. Failures are {@link C2Exception}s with a {@link C2Exception.Reason}.
 *
 * <p>Listings take a cursor (empty for the first page) and a page size of 1 to 1,000. Every
 * mutating call is recorded in the audit log, and each change it makes in the event log, in the
 * transaction that makes it.
 */
public interface C2Service {

  CryptoMode mode();

  /** Stores a device (no command is sent: the device was provisioned with its key). */
  CreatedDevice createDevice(NewDevice device);

  /**
   * Creates 1 to 1,000 devices; each is created or refused on its own ({@link #createDevice}'s
   * errors), reported in request order.
   */
  List<BatchItem<CreatedDevice>> createDevices(List<NewDevice> devices);

  /**
   * Forgets a device and cancels its undelivered commands. In PK mode the devices holding its
   * public key are told to drop it (RemovePubKey).
   */
  void removeDevice(DeviceRef device);

  DeviceInfo device(DeviceRef device);

  /**
   * Devices whose name starts with {@code namePrefix}, in name order; with no prefix, all devices:
   * those with a name first, then those without, in ID order.
   */
  Page<DeviceInfo> devices(String namePrefix, String cursor, int limit);

  long deviceCount();

  /** Creates a topic with a random key. */
  TopicInfo createTopic(String topic);

  /** Forgets a topic; every device linked to it is told to drop its key (RemoveTopic). */
  void removeTopic(String topic);

  TopicInfo topic(String topic);

  /** Topics in name order whose name starts with {@code namePrefix} (empty: all topics). */
  Page<TopicInfo> topics(String namePrefix, String cursor, int limit);

  long topicCount();

  /** Links a device to a topic and sends it the topic's key (again, if already linked). */
  void link(DeviceRef device, String topic);

  /**
   * Links 1 to 1,000 devices to a topic, each linked or refused (not found) on its own; the whole
   * call fails if the topic does not exist.
   *
   * @return for each device, in request order, its ID (hex) if linked
   */
  List<BatchItem<String>> linkAll(List<DeviceRef> devices, String topic);

  /** Unlinks a device from a topic and tells it to drop the key (RemoveTopic). */
  void unlink(DeviceRef device, String topic);

  Page<TopicInfo> topicsOf(DeviceRef device, String cursor, int limit);

  long topicCountOf(DeviceRef device);

  Page<DeviceInfo> devicesOf(String topic, String cursor, int limit);

  long deviceCountOf(String topic);

  /** Unlinks the device from every topic and tells it to drop every topic key (ResetTopics). */
  void resetDevice(DeviceRef device);

  /**
   * Gives a device a new random key, sent to it (SetIDKey) under its old key. In PK mode this is an
   * explicit request for C2 to generate the device's Ed25519 pair: the private key travels to the
   * device only, and the devices holding its public key get the new one (SetPubKey).
   */
  void newDeviceKey(DeviceRef device);

  /**
   * Issues the device a new broker credential for the embedded broker in {@code devices} access
   * mode, for devices that cannot derive their broker password from their key (Teserakt's clients);
   * it replaces the one the device had, whose clients are disconnected. The credential is returned
   * here once: C2 keeps only its hash.
   */
  BrokerCredential issueBrokerCredential(DeviceRef device);

  /**
   * Revokes the device's broker credential (NOT_FOUND if it has none); its clients are
   * disconnected. The password derived from its key stays good.
   */
  void revokeBrokerCredential(DeviceRef device);

  /** Gives a topic a new random key and sends it to every linked device (SetTopicKey). */
  TopicInfo rotateTopicKey(String topic);

  /** PK mode: sends {@code subject}'s public key to {@code holder} (SetPubKey). */
  void sendPublicKey(DeviceRef subject, DeviceRef holder);

  /** PK mode: tells {@code holder} to forget {@code subject}'s public key (RemovePubKey). */
  void removePublicKey(DeviceRef subject, DeviceRef holder);

  /** PK mode: tells {@code holder} to forget every public key it holds (ResetPubKeys). */
  void resetPublicKeys(DeviceRef holder);

  /** PK mode: the devices whose public keys {@code holder} has been sent. */
  Page<DeviceInfo> publicKeysHeldBy(DeviceRef holder, String cursor, int limit);

  /**
   * PK mode: makes a new Curve25519 pair for C2 and sends its public key to every device
   * (SetC2Key), each under the key it shares with the old pair, however many devices there are.
   */
  void newC2Key();

  /** PK mode: C2's current Curve25519 public key, which devices are provisioned with. */
  byte[] c2PublicKey();

  /**
   * Re-sends a device's whole key set: ResetTopics and SetTopicKey for each linked topic; in PK
   * mode also ResetPubKeys and SetPubKey for each public key it holds. For devices that missed
   * commands (no persistent session, or restored from an old backup).
   */
  void resyncDevice(DeviceRef device);

  /**
   * SK mode: protects {@code payload} under the topic's current key, as a device would. Whoever may
   * call this may write to any topic: the API keeps it for admins.
   */
  byte[] protectMessage(String topic, byte[] payload);

  /**
   * Checks and opens a protected message with the topic's current key; in PK mode also checks the
   * sender's signature with the public key C2 holds for it. Whoever may call this reads every
   * topic: the API keeps it for admins.
   */
  UnprotectedMessage unprotectMessage(String topic, byte[] message);

  /** Up to {@code limit} (1 to 1,000) events after sequence number {@code after}, oldest first. */
  List<C2Event> events(long after, int limit);

  /** The sequence number of the latest event, 0 before the first. */
  long lastEventSequence();

  /**
   * Up to {@code limit} (1 to 1,000) audit records older than record {@code before} (0: the
   * newest), newest first, of {@code actor} or of everyone.
   */
  List<AuditRecord> audit(long before, int limit, Optional<String> actor);

  /**
   * A device's most recent commands, newest first. Rotations of a topic are listed while the device
   * stays linked to it.
   */
  List<Delivery> deliveries(DeviceRef device, int limit);

  /**
   * How far the topic's current key has reached its linked devices, as they reported it; lists up
   * to {@code behindLimit} (0 to 1,000) devices not known to hold it.
   */
  TopicStatus topicStatus(String topic, int behindLimit);

  /**
   * The device's presence and keys as C2 knows them from the broker and the device's reports; lists
   * up to {@code behindLimit} (0 to 1,000) linked topics whose current key it is not known to hold.
   */
  DeviceStatus deviceStatus(DeviceRef device, int behindLimit);

  /**
   * How many commands wait for delivery (pending or failed), counting each device a rotation has
   * yet to reach.
   */
  long undeliveredCount();
}
