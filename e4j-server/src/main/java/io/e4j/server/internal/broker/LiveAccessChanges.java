package io.e4j.server.internal.broker;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.services.exception.NoSuchClientIdException;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import io.e4j.server.internal.broker.AccessPolicy.Client;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * C2's changes to devices and links, applied to the running broker ({@code devices} access mode):
 * through what each connection remembers ({@link Client#linkChanged}) and HiveMQ's subscription
 * store and client service, which reach sessions whether their client is connected or not.
 */
final class LiveAccessChanges implements AccessChanges {
  private final Access mode;
  private final Connections connections;
  private final SubscriptionStore subscriptions;
  private final ClientService clients;

  LiveAccessChanges(
      Access mode,
      Connections connections,
      SubscriptionStore subscriptions,
      ClientService clients) {
    this.mode = mode;
    this.connections = connections;
    this.subscriptions = subscriptions;
    this.clients = clients;
  }

  @Override
  public CompletableFuture<Void> linked(byte[] deviceId, String topic) {
    if (mode == Access.DEVICES) {
      connections.connected(Topics.hex(deviceId)).forEach(c -> c.linkChanged(topic, true));
    }
    return done();
  }

  @Override
  public CompletableFuture<Void> unlinked(byte[] deviceId, String topic) {
    if (mode != Access.DEVICES) {
      return done();
    }
    String hex = Topics.hex(deviceId);
    return drop(topic, connections.connected(hex), connections.clientIds(hex));
  }

  @Override
  public CompletableFuture<Void> topicRemoved(String topic) {
    if (mode != Access.DEVICES) {
      return done();
    }
    return drop(topic, connections.connectedDevices(), connections.deviceClientIds());
  }

  /**
   * The clients may no longer use {@code topic}: the connected ones refuse it from now on (set
   * before the subscriptions go, so that no subscription is granted again in between), and every
   * session loses its subscription to it.
   */
  private CompletableFuture<Void> drop(
      String topic, Collection<Client> connected, Set<String> clientIds) {
    connected.forEach(client -> client.linkChanged(topic, false));
    return CompletableFuture.allOf(
        clientIds.stream()
            .map(clientId -> subscriptions.removeSubscription(clientId, topic))
            .toArray(CompletableFuture[]::new));
  }

  @Override
  public CompletableFuture<Void> deviceRemoved(byte[] deviceId) {
    if (mode != Access.DEVICES) {
      return done();
    }
    String hex = Topics.hex(deviceId);
    CompletableFuture<Void> removed =
        each(
            hex,
            clientId ->
                gone(clients.disconnectClient(
                        clientId, true, DisconnectReasonCode.NOT_AUTHORIZED, "device removed"))
                    .thenCompose(any -> gone(clients.invalidateSession(clientId))));
    connections.forgetDevice(hex);
    return removed;
  }

  @Override
  public CompletableFuture<Void> credentialsChanged(byte[] deviceId) {
    if (mode != Access.DEVICES) {
      return done();
    }
    List<CompletableFuture<Void>> disconnected =
        connections.connected(Topics.hex(deviceId)).stream()
            .map(
                client ->
                    gone(
                        clients.disconnectClient(
                            client.clientId,
                            false,
                            DisconnectReasonCode.NOT_AUTHORIZED,
                            "credentials changed: log in again")))
            .toList();
    return CompletableFuture.allOf(disconnected.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> each(
      String deviceHex, Function<String, CompletableFuture<?>> action) {
    return CompletableFuture.allOf(
        connections.clientIds(deviceHex).stream().map(action).toArray(CompletableFuture[]::new));
  }

  /** A client or session that is gone already is as good as one removed now. */
  private static CompletableFuture<Void> gone(CompletableFuture<Boolean> removal) {
    return removal.handle(
        (removed, failure) -> {
          Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
          if (cause != null && !(cause instanceof NoSuchClientIdException)) {
            throw new CompletionException(cause);
          }
          return null;
        });
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }
}
