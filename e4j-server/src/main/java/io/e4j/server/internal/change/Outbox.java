package io.e4j.server.internal.change;

import io.e4j.server.internal.outbox.OutboxWriter;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The outbox as a change sees it: commands enqueued in the change's transaction, which already
 * holds the writer lock. Every method erases the commands it is given.
 */
public final class Outbox {
  private final OutboxWriter writer;
  private final Handle handle;

  Outbox(OutboxWriter writer, Handle handle) {
    this.writer = writer;
    this.handle = handle;
  }

  /** {@code commands}, in order, for one device. */
  public void toDevice(byte[] deviceId, List<byte[]> commands) {
    writer.toDevice(handle, deviceId, commands);
  }

  /**
   * Again, in their order, the commands named {@code names} the transport took for the device since
   * {@code since}; how many.
   */
  public int again(byte[] deviceId, java.time.Instant since, java.util.Set<String> names) {
    return writer.again(handle, deviceId, since, names);
  }

  /**
   * Again the last command that changed the device's key, if the transport took it since {@code
   * since}, under the key the device had before; whether there was one.
   */
  public boolean keyChangeAgain(byte[] deviceId, byte[] previousKey, java.time.Instant since) {
    return writer.keyChangeAgain(handle, deviceId, previousKey, since);
  }

  /** {@code command} for each of {@code deviceIds}, at one position. */
  public void toDevices(List<byte[]> deviceIds, byte[] command) {
    writer.toDevices(handle, deviceIds, command);
  }

  /** {@code command} for every device linked to the topic; returns how many. */
  public int toDevicesLinkedTo(byte[] topicId, byte[] command) {
    return writer.toDevicesLinkedTo(handle, topicId, command);
  }

  /** {@code command} for every device holding the public key of {@code subjectId}; how many. */
  public int toHoldersOfPublicKey(byte[] subjectId, byte[] command) {
    return writer.toHoldersOfPublicKey(handle, subjectId, command);
  }

  /** {@code command} for every device; returns how many. */
  public int toEveryDevice(byte[] command) {
    return writer.toEveryDevice(handle, command);
  }

  /** A rotation's command for every device linked to the topic now, walked at delivery. */
  public void rotation(byte[] topicId, byte[] command) {
    writer.rotation(handle, topicId, command);
  }

  /** Before a device's command key changes: what was enqueued for it keeps {@code currentKey}. */
  public void keyChanging(byte[] deviceId, byte[] currentKey) {
    writer.keyChanging(handle, deviceId, currentKey);
  }

  /**
   * Before every device's command key changes (a new C2 key): returns the position at which they
   * change.
   */
  public long allKeysChanging() {
    return writer.allKeysChanging(handle);
  }

  /** Cancels a removed device's undelivered commands. */
  public void cancelUndelivered(byte[] deviceId) {
    writer.cancelUndelivered(handle, deviceId);
  }
}
