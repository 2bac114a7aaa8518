package io.e4j.server.internal.broker;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.client.parameter.ServerInformation;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import java.util.Set;

/**
 * C2's extension of the embedded broker, through HiveMQ's extension SDK, given to HiveMQ in process
 * (an {@code EmbeddedExtension}, no extension folder): {@link Logins} decides each CONNECT, {@link
 * Authorizations} each PUBLISH and subscription, by the {@link AccessPolicy}; {@link
 * PresenceTracking} reports presence; {@link LiveAccessChanges} applies C2's changes.
 *
 * <p>HiveMQ hands an extension its services through static fields, shared by every broker in the
 * process: they are read once, in {@link #extensionStart}, for this broker.
 */
final class BrokerExtension implements ExtensionMain {
  private final AccessPolicy policy;
  private final PresenceEvents presence;
  private final Lookups lookups;
  private final Connections connections = new Connections();

  private volatile ServerInformation server;
  private volatile AccessChanges changes;

  BrokerExtension(AccessPolicy policy, PresenceEvents presence, Lookups lookups) {
    this.policy = policy;
    this.presence = presence;
    this.lookups = lookups;
  }

  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    SubscriptionStore subscriptions = Services.subscriptionStore();
    ClientService clients = Services.clientService();
    Logins logins = new Logins(policy, connections, lookups, subscriptions, clients);
    Authorizations authorizations = new Authorizations(policy, connections, lookups);
    PresenceTracking tracking = new PresenceTracking(presence, connections, subscriptions);
    Services.securityRegistry().setAuthenticatorProvider(any -> logins);
    Services.securityRegistry().setAuthorizerProvider(authorizations);
    Services.eventRegistry().setClientLifecycleEventListener(tracking);
    Services.initializerRegistry().setClientInitializer(tracking);
    Services.interceptorRegistry().setConnackOutboundInterceptorProvider(any -> tracking);
    server = input.getServerInformation();
    changes = new LiveAccessChanges(policy.mode(), connections, subscriptions, clients);
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}

  /** Whether HiveMQ started this extension: without it, nobody may connect. */
  boolean started() {
    return changes != null;
  }

  /** The broker's listeners; after start, with the ports they bound. */
  Set<Listener> listeners() {
    return server.getListener();
  }

  /** Where C2's changes go; only once {@link #started()}. */
  AccessChanges changes() {
    return changes;
  }
}
