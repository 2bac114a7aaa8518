package io.e4j.server.internal.broker;

import com.hivemq.extension.sdk.api.client.ClientContext;
import com.hivemq.extension.sdk.api.client.parameter.InitializerInput;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListenerProvider;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientLifecycleEventListenerProviderInput;
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
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;
import com.hivemq.extension.sdk.api.services.intializer.ClientInitializer;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import io.e4j.server.internal.broker.AccessPolicy.Client;
import io.e4j.server.internal.broker.AccessPolicy.Role;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches for subscribers of control topics and for clients coming and going, and tells {@link
 * PresenceEvents}. A subscription counts once HiveMQ sends the SUBACK that grants it: HiveMQ sends
 * it after the subscription is in its topic tree, so a message published from then on reaches the
 * client. A persistent session coming back counts as its CONNACK goes out: its subscriptions never
 * left the topic tree, and what is published meanwhile waits in the session's queue.
 */
final class PresenceTracking
    implements ClientInitializer, ConnackOutboundInterceptor, ClientLifecycleEventListenerProvider {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceTracking.class);
  private static final Set<SubackReasonCode> GRANTED =
      Set.of(
          SubackReasonCode.GRANTED_QOS_0,
          SubackReasonCode.GRANTED_QOS_1,
          SubackReasonCode.GRANTED_QOS_2);

  private final PresenceEvents presence;
  private final Connections connections;
  private final SubscriptionStore subscriptions;

  PresenceTracking(
      PresenceEvents presence, Connections connections, SubscriptionStore subscriptions) {
    this.presence = presence;
    this.connections = connections;
    this.subscriptions = subscriptions;
  }

  /** Each connection gets its SUBSCRIBE/SUBACK pair of interceptors, before its CONNACK. */
  @Override
  public void initialize(InitializerInput input, ClientContext context) {
    Subscribes subscribes = new Subscribes(input.getClientInformation().getClientId());
    context.addSubscribeInboundInterceptor(subscribes);
    context.addSubackOutboundInterceptor(subscribes);
  }

  /** One connection's control-topic subscriptions, from SUBSCRIBE to SUBACK. */
  private final class Subscribes implements SubscribeInboundInterceptor, SubackOutboundInterceptor {
    private final String clientId;

    /** Control topics asked for, by packet ID: index in the SUBSCRIBE → device. */
    private final Map<Integer, Map<Integer, byte[]>> asked = new ConcurrentHashMap<>();

    Subscribes(String clientId) {
      this.clientId = clientId;
    }

    @Override
    public void onInboundSubscribe(SubscribeInboundInput input, SubscribeInboundOutput output) {
      List<Subscription> requested = input.getSubscribePacket().getSubscriptions();
      Map<Integer, byte[]> control = new ConcurrentHashMap<>();
      for (int i = 0; i < requested.size(); i++) {
        int index = i;
        Topics.controlTopicDevice(requested.get(i).getTopicFilter())
            .ifPresent(device -> control.put(index, device));
      }
      if (!control.isEmpty()) {
        asked.put(input.getSubscribePacket().getPacketId(), control);
      }
    }

    @Override
    public void onOutboundSuback(SubackOutboundInput input, SubackOutboundOutput output) {
      Map<Integer, byte[]> control = asked.remove(input.getSubackPacket().getPacketIdentifier());
      if (control == null) {
        return;
      }
      List<SubackReasonCode> codes = input.getSubackPacket().getReasonCodes();
      control.forEach(
          (index, device) -> {
            if (index < codes.size() && GRANTED.contains(codes.get(index))) {
              presence.controlTopicSubscribed(device, clientId);
            }
          });
    }
  }

  @Override
  public void onOutboundConnack(ConnackOutboundInput input, ConnackOutboundOutput output) {
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

  @Override
  public ClientLifecycleEventListener getClientLifecycleEventListener(
      ClientLifecycleEventListenerProviderInput input) {
    return new Lifecycle();
  }

  /** One connection's lifecycle: keeps {@link Connections} current and reports it. */
  private final class Lifecycle implements ClientLifecycleEventListener {
    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
      Client client = connections.of(input.getConnectionInformation());
      if (client != null && client.role != Role.C2) {
        presence.clientConnected(client.clientId, client.deviceId());
      }
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
      Client client = connections.remove(input.getConnectionInformation());
      if (client != null && client.role != Role.C2) {
        presence.clientDisconnected(client.clientId, client.deviceId());
      }
    }
  }
}
