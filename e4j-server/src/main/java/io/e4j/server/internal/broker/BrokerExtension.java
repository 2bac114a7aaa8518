package io.e4j.server.internal.broker;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.Authorizer;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.client.parameter.ServerInformation;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.interceptor.connack.ConnackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.connack.parameter.ConnackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.connack.parameter.ConnackOutboundOutput;
import com.hivemq.extension.sdk.api.interceptor.suback.SubackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundOutput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.SubscribeInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundInput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.exception.NoSuchClientIdException;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.e4j.server.C2Config.EmbeddedMqtt.Access;
import io.e4j.server.internal.broker.AccessPolicy.Accepted;
import io.e4j.server.internal.broker.AccessPolicy.Client;
import io.e4j.server.internal.broker.AccessPolicy.Refused;
import io.e4j.server.internal.broker.AccessPolicy.Role;
import io.e4j.server.internal.broker.AccessPolicy.Verdict;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C2's extension of the embedded broker, through HiveMQ's extension SDK: it authenticates each
 * CONNECT and authorizes each PUBLISH and subscription by the {@link AccessPolicy}, and reports
 * presence. Quick decisions are made on the broker's extension threads; those that ask the {@link
 * DeviceDirectory} (C2's database) go to {@code lookups}, threads of C2's own, and the broker waits
 * for them asynchronously.
 *
 * <p>HiveMQ hands an extension its services through static fields, shared by every broker in the
 * process: they are read once, in {@link #extensionStart}, for this broker.
 */
final class BrokerExtension implements ExtensionMain, AccessChanges {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerExtension.class);

  /** Connection attribute naming the connection's number, set at login. */
  private static final String CONNECTION = "io.e4j.connection";

  /** How long the broker waits for C2's directory before refusing. */
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

  private final AccessPolicy policy;
  private final Connections connections = new Connections();
  private final PresenceEvents presence;
  private final ExecutorService lookups;
  private final AtomicLong connectionNumbers = new AtomicLong();

  private volatile ServerInformation server;
  private volatile SubscriptionStore subscriptions;
  private volatile ClientService clients;

  BrokerExtension(AccessPolicy policy, PresenceEvents presence, ExecutorService lookups) {
    this.policy = policy;
    this.presence = presence;
    this.lookups = lookups;
  }

  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    server = input.getServerInformation();
    subscriptions = Services.subscriptionStore();
    clients = Services.clientService();
    SimpleAuthenticator authenticator = this::authenticate;
    Services.securityRegistry().setAuthenticatorProvider(any -> authenticator);
    Services.securityRegistry()
        .setAuthorizerProvider(
            provider ->
                authorizer(
                    provider.getConnectionInformation(),
                    provider.getClientInformation().getClientId()));
    Services.eventRegistry().setClientLifecycleEventListener(any -> new Lifecycle());
    Services.initializerRegistry()
        .setClientInitializer(
            (initializer, context) -> {
              SubscribePresence subscribes =
                  new SubscribePresence(initializer.getClientInformation().getClientId());
              context.addSubscribeInboundInterceptor(subscribes);
              context.addSubackOutboundInterceptor(subscribes);
            });
    ConnackOutboundInterceptor resumed = this::resumedSession;
    Services.interceptorRegistry().setConnackOutboundInterceptorProvider(any -> resumed);
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}

  /** Whether the broker started this extension: without it, nobody may connect. */
  boolean started() {
    return clients != null;
  }

  /** The broker's listeners; after start, with the ports they bound. */
  Set<Listener> listeners() {
    return server.getListener();
  }

  // ---- Login ----------------------------------------------------------------------------------

  private void authenticate(SimpleAuthInput input, SimpleAuthOutput output) {
    ConnectPacket connect = input.getConnectPacket();
    long connection = connectionNumbers.incrementAndGet();
    if (!policy.loginAsksDirectory(connect.getClientId())) {
      login(input, output, connection);
      return;
    }
    Async<SimpleAuthOutput> async =
        output.async(
            LOOKUP_TIMEOUT,
            TimeoutFallback.FAILURE,
            ConnackReasonCode.SERVER_UNAVAILABLE,
            "C2 did not check the login in time");
    offload(
        () -> login(input, output, connection),
        () ->
            output.failAuthentication(
                ConnackReasonCode.SERVER_UNAVAILABLE, "C2 could not check the login: try again"),
        async::resume);
  }

  private void login(SimpleAuthInput input, SimpleAuthOutput output, long connection) {
    ConnectPacket connect = input.getConnectPacket();
    byte[] password = connect.getPassword().map(BrokerExtension::bytes).orElse(null);
    AccessPolicy.Login login;
    try {
      login =
          policy.login(
              connection, connect.getClientId(), connect.getUserName().orElse(null), password);
    } finally {
      if (password != null) {
        Arrays.fill(password, (byte) 0);
      }
    }
    if (login instanceof Refused refused) {
      LOG.info("broker refused client {}: {}", connect.getClientId(), refused.reason());
      output.failAuthentication(
          refused.badCredentials()
              ? ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD
              : ConnackReasonCode.NOT_AUTHORIZED,
          refused.reason());
      return;
    }
    Client client = ((Accepted) login).client();
    if (client.role == Role.DEVICE && !connect.getCleanStart()) {
      keepOnlyAllowedSubscriptions(client);
    }
    input
        .getConnectionInformation()
        .getConnectionAttributeStore()
        .put(CONNECTION, ByteBuffer.allocate(Long.BYTES).putLong(0, connection));
    connections.add(client, connect.getSessionExpiryInterval() > 0);
    output.authenticateSuccessfully();
  }

  /**
   * A device resumes a session, maybe one from before a link changed or the broker restarted, or
   * one another device left under the same client ID: the session keeps only subscriptions the
   * device may hold now, and a session holding another device's control topic is discarded whole.
   * Runs on a lookup thread, before the login completes.
   */
  private void keepOnlyAllowedSubscriptions(Client client) {
    try {
      Set<TopicSubscription> held =
          subscriptions
              .getSubscriptions(client.clientId)
              .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      byte[] device = client.deviceId();
      boolean foreign =
          held.stream()
              .map(subscription -> Topics.controlTopicDevice(subscription.getTopicFilter()))
              .anyMatch(id -> id.isPresent() && !Arrays.equals(id.get(), device));
      if (foreign) {
        LOG.info(
            "broker discards the session of client {}: it belongs to another device",
            client.clientId);
        clients
            .invalidateSession(client.clientId)
            .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      Set<String> refused =
          held.stream()
              .map(TopicSubscription::getTopicFilter)
              .filter(filter -> policy.subscribe(client, filter) != Verdict.ALLOWED)
              .collect(Collectors.toSet());
      if (!refused.isEmpty()) {
        subscriptions
            .removeSubscriptions(client.clientId, refused)
            .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot check the session of client " + client.clientId + ": " + e, e);
    }
  }

  // ---- Publishes and subscriptions ------------------------------------------------------------

  /**
   * One connection's authorizer: HiveMQ asks for it at the connection's first publish or subscribe.
   */
  private Authorizer authorizer(ConnectionInformation connection, String clientId) {
    Client client =
        connection
            .getConnectionAttributeStore()
            .get(CONNECTION)
            .map(value -> connections.get(value.getLong(0)))
            .orElse(null);
    if (client == null) {
      // Not logged in through this extension: refused whatever it asks.
      LOG.warn(
          "broker has no login for client {}: refusing its publishes and subscriptions", clientId);
    }
    return new ConnectionAuthorizer(client);
  }

  private final class ConnectionAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {
    private final Client client;

    ConnectionAuthorizer(Client client) {
      this.client = client;
    }

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
      String topic = input.getPublishPacket().getTopic();
      boolean retain = input.getPublishPacket().getRetain();
      if (client == null) {
        publishVerdict(output, Verdict.NOT_AUTHORIZED, topic, retain);
        return;
      }
      Verdict known = policy.publishIfKnown(client, topic, retain);
      if (known != null) {
        publishVerdict(output, known, topic, retain);
        return;
      }
      Async<PublishAuthorizerOutput> async = output.async(LOOKUP_TIMEOUT, TimeoutFallback.FAILURE);
      offload(
          () -> publishVerdict(output, policy.publish(client, topic, retain), topic, retain),
          () ->
              output.failAuthorization(
                  AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "C2 could not check the topic"),
          async::resume);
    }

    @Override
    public void authorizeSubscribe(
        SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
      String filter = input.getSubscription().getTopicFilter();
      if (client == null) {
        subscribeVerdict(output, Verdict.NOT_AUTHORIZED, filter);
        return;
      }
      Verdict known = policy.subscribeIfKnown(client, filter);
      if (known != null) {
        subscribeVerdict(output, known, filter);
        return;
      }
      Async<SubscriptionAuthorizerOutput> async =
          output.async(LOOKUP_TIMEOUT, TimeoutFallback.FAILURE);
      offload(
          () -> subscribeVerdict(output, policy.subscribe(client, filter), filter),
          () ->
              output.failAuthorization(
                  SubackReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "C2 could not check the topic"),
          async::resume);
    }

    private void publishVerdict(
        PublishAuthorizerOutput output, Verdict verdict, String topic, boolean retain) {
      if (verdict == Verdict.ALLOWED) {
        output.authorizeSuccessfully();
        return;
      }
      String reason;
      if (Topics.isControl(topic)) {
        reason =
            client != null && client.role == Role.C2 && retain
                ? "control topics take no retained messages"
                : "only C2 publishes on control topics (e4/...)";
      } else if (Topics.isReports(topic)) {
        reason = "a device reports on its own topic only";
      } else {
        reason = "not linked to topic " + topic;
      }
      LOG.info(
          "broker refused a publish of client {} on {}: {}",
          client == null ? "?" : client.clientId,
          topic,
          reason);
      output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, reason);
    }

    private void subscribeVerdict(
        SubscriptionAuthorizerOutput output, Verdict verdict, String filter) {
      switch (verdict) {
        case ALLOWED -> output.authorizeSuccessfully();
        case WILDCARDS_REFUSED ->
            output.failAuthorization(
                SubackReasonCode.WILDCARD_SUBSCRIPTION_NOT_SUPPORTED,
                "devices subscribe to exact topic names");
        case SHARED_REFUSED ->
            output.failAuthorization(
                SubackReasonCode.SHARED_SUBSCRIPTION_NOT_SUPPORTED,
                "devices subscribe to exact topic names");
        case NOT_AUTHORIZED ->
            output.failAuthorization(
                SubackReasonCode.NOT_AUTHORIZED, "not allowed to subscribe to " + filter);
      }
    }
  }

  // ---- Presence -------------------------------------------------------------------------------

  /**
   * Notices subscriptions to control topics in a client's SUBSCRIBE, and reports those the SUBACK
   * grants: HiveMQ sends the SUBACK once the subscriptions are in place, so a message published
   * from then on reaches the client.
   */
  private final class SubscribePresence
      implements SubscribeInboundInterceptor, SubackOutboundInterceptor {
    private final String clientId;

    /** Control topics asked for, by packet ID: index in the SUBSCRIBE, device. */
    private final Map<Integer, List<Map.Entry<Integer, byte[]>>> asked = new ConcurrentHashMap<>();

    SubscribePresence(String clientId) {
      this.clientId = clientId;
    }

    @Override
    public void onInboundSubscribe(SubscribeInboundInput input, SubscribeInboundOutput output) {
      List<Subscription> subscriptions = input.getSubscribePacket().getSubscriptions();
      List<Map.Entry<Integer, byte[]>> control = new ArrayList<>();
      for (int i = 0; i < subscriptions.size(); i++) {
        int index = i;
        Topics.controlTopicDevice(subscriptions.get(i).getTopicFilter())
            .ifPresent(device -> control.add(Map.entry(index, device)));
      }
      if (!control.isEmpty()) {
        asked.put(input.getSubscribePacket().getPacketId(), control);
      }
    }

    @Override
    public void onOutboundSuback(SubackOutboundInput input, SubackOutboundOutput output) {
      List<Map.Entry<Integer, byte[]>> control =
          asked.remove(input.getSubackPacket().getPacketIdentifier());
      if (control == null) {
        return;
      }
      List<SubackReasonCode> codes = input.getSubackPacket().getReasonCodes();
      for (Map.Entry<Integer, byte[]> entry : control) {
        if (entry.getKey() < codes.size() && granted(codes.get(entry.getKey()))) {
          presence.controlTopicSubscribed(entry.getValue(), clientId);
        }
      }
    }
  }

  private static boolean granted(SubackReasonCode code) {
    return code == SubackReasonCode.GRANTED_QOS_0
        || code == SubackReasonCode.GRANTED_QOS_1
        || code == SubackReasonCode.GRANTED_QOS_2;
  }

  /**
   * A client back on a persistent session holds its subscriptions already: each control topic among
   * them counts as subscribed, as the CONNACK goes out.
   */
  private void resumedSession(ConnackOutboundInput input, ConnackOutboundOutput output) {
    if (input.getConnackPacket().getReasonCode() != ConnackReasonCode.SUCCESS
        || !input.getConnackPacket().getSessionPresent()) {
      return;
    }
    String clientId = input.getClientInformation().getClientId();
    subscriptions
        .getSubscriptions(clientId)
        .thenAccept(
            held ->
                held.forEach(
                    subscription ->
                        Topics.controlTopicDevice(subscription.getTopicFilter())
                            .ifPresent(
                                device -> presence.controlTopicSubscribed(device, clientId))))
        .exceptionally(
            failure -> {
              LOG.warn("broker cannot list the subscriptions of client {}", clientId, failure);
              return null;
            });
  }

  /** One connection's lifecycle: keeps {@link Connections} current and reports it. */
  private final class Lifecycle implements ClientLifecycleEventListener {
    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
      Client client = client(input.getConnectionInformation());
      if (client != null && client.role != Role.C2) {
        presence.clientConnected(client.clientId, client.deviceId());
      }
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
      Client client =
          connection(input.getConnectionInformation()).map(connections::remove).orElse(null);
      if (client != null && client.role != Role.C2) {
        presence.clientDisconnected(client.clientId, client.deviceId());
      }
    }
  }

  private Client client(ConnectionInformation information) {
    return connection(information).map(connections::get).orElse(null);
  }

  private static Optional<Long> connection(ConnectionInformation information) {
    return information.getConnectionAttributeStore().get(CONNECTION).map(value -> value.getLong(0));
  }

  // ---- C2's changes ---------------------------------------------------------------------------

  @Override
  public CompletableFuture<Void> linked(byte[] deviceId, String topic) {
    if (policy.mode() == Access.DEVICES) {
      connections.connected(Topics.hex(deviceId)).forEach(c -> c.linkChanged(topic, true));
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> unlinked(byte[] deviceId, String topic) {
    if (policy.mode() != Access.DEVICES) {
      return CompletableFuture.completedFuture(null);
    }
    String hex = Topics.hex(deviceId);
    connections.connected(hex).forEach(c -> c.linkChanged(topic, false));
    return each(hex, clientId -> subscriptions.removeSubscription(clientId, topic));
  }

  @Override
  public CompletableFuture<Void> deviceRemoved(byte[] deviceId) {
    if (policy.mode() != Access.DEVICES) {
      return CompletableFuture.completedFuture(null);
    }
    String hex = Topics.hex(deviceId);
    CompletableFuture<Void> done =
        each(
            hex,
            clientId ->
                gone(clients.disconnectClient(
                        clientId, true, DisconnectReasonCode.NOT_AUTHORIZED, "device removed"))
                    .thenCompose(any -> gone(clients.invalidateSession(clientId))));
    connections.forgetDevice(hex);
    return done;
  }

  @Override
  public CompletableFuture<Void> credentialsChanged(byte[] deviceId) {
    if (policy.mode() != Access.DEVICES) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<?>> disconnected = new ArrayList<>();
    for (Client client : connections.connected(Topics.hex(deviceId))) {
      disconnected.add(
          gone(
              clients.disconnectClient(
                  client.clientId,
                  false,
                  DisconnectReasonCode.NOT_AUTHORIZED,
                  "credentials changed: log in again")));
    }
    return CompletableFuture.allOf(disconnected.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> each(
      String deviceHex, java.util.function.Function<String, CompletableFuture<?>> action) {
    if (clients == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("broker not started"));
    }
    return CompletableFuture.allOf(
        connections.clientIds(deviceHex).stream().map(action).toArray(CompletableFuture[]::new));
  }

  /** A client or session that is gone already is as good as one removed now. */
  private static CompletableFuture<Void> gone(CompletableFuture<Boolean> removal) {
    return removal.handle(
        (done, failure) -> {
          Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
          if (cause != null && !(cause instanceof NoSuchClientIdException)) {
            throw new CompletionException(cause);
          }
          return null;
        });
  }

  // ---- Helpers --------------------------------------------------------------------------------

  /**
   * Runs {@code work} on a lookup thread, then {@code resume}. If {@code work} fails (C2's database
   * unreachable, say), or the lookup threads are saturated, the client is refused by {@code
   * refuse}: never left waiting.
   */
  private void offload(Runnable work, Runnable refuse, Runnable resume) {
    try {
      lookups.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              LOG.warn("broker access check failed: {}", e.toString());
              refuseQuietly(refuse);
            } finally {
              resume.run();
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.warn("broker access checks are saturated: refusing");
      refuseQuietly(refuse);
      resume.run();
    }
  }

  /** A decision taken already (the failure came after it) stands. */
  private static void refuseQuietly(Runnable refuse) {
    try {
      refuse.run();
    } catch (UnsupportedOperationException decidedAlready) {
      LOG.debug("broker access decision was taken before the failure");
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
