package io.e4j.server.node;

import io.e4j.server.internal.broker.BrokerPresence;
import io.e4j.server.internal.transport.PresenceEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries the embedded broker's presence to C2's: which device a client subscribed for, and that it
 * left when the client's connection ended. The broker starts before the rest of C2; what it tells
 * in the meantime is kept (up to a bound) and handed over when C2 is ready.
 */
final class BrokerPresenceRelay implements BrokerPresence {
  private static final int KEPT_BEFORE_READY = 10_000;

  /** The device whose control topic each client subscribed to. */
  private final Map<String, byte[]> deviceOfClient = new ConcurrentHashMap<>();

  private final List<Runnable> beforeReady = new ArrayList<>();
  private PresenceEvents target;

  /** From now on, presence goes to {@code events}, beginning with what came before. */
  synchronized void readyFor(PresenceEvents events) {
    target = events;
    beforeReady.forEach(Runnable::run);
    beforeReady.clear();
  }

  @Override
  public void controlTopicSubscribed(byte[] deviceId, String clientId) {
    deviceOfClient.put(clientId, deviceId);
    relay(() -> target.subscribed(deviceId));
  }

  @Override
  public void clientDisconnected(String clientId, byte[] loggedInAs) {
    byte[] device = deviceOfClient.remove(clientId);
    if (device != null) {
      relay(() -> target.gone(device));
    }
  }

  private synchronized void relay(Runnable event) {
    if (target != null) {
      event.run();
    } else if (beforeReady.size() < KEPT_BEFORE_READY) {
      beforeReady.add(event);
    }
  }
}
