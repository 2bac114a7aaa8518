package io.e4j.server.internal.operations;

import io.e4j.server.C2Service;
import io.e4j.server.DeviceRef;
import io.e4j.server.internal.journal.Caller;
import java.util.List;
import java.util.function.Supplier;

/**
 * C2's operations as one caller makes them: what the API serves. Every change is made, and every
 * refusal recorded, in the caller's name; the API only translates.
 */
public interface CallerService extends C2Service {

  /** Who makes the calls. */
  Caller caller();

  /** The same operations, made by {@code caller}. */
  CallerService as(Caller caller);

  /**
   * An argument of the operation {@code action}, read from a request by {@code read}; if it is
   * malformed, the call is refused and the refusal recorded in the audit log.
   */
  <T> T argument(String action, String target, Supplier<T> read);

  /** Device names, in name order, from the {@code offset}-th (devices without a name left out). */
  List<String> deviceNamesAt(long offset, int count);

  /** Topic names, in name order, from the {@code offset}-th. */
  List<String> topicNamesAt(long offset, int count);

  /** The names of a device's topics, in name order, from the {@code offset}-th. */
  List<String> topicNamesOfAt(DeviceRef ref, long offset, int count);

  /** The names of a topic's devices, in name order, from the {@code offset}-th. */
  List<String> deviceNamesOfAt(String topic, long offset, int count);
}
