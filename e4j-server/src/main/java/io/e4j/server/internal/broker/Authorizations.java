package io.e4j.server.internal.broker;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.Authorizer;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.AuthorizerProviderInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.services.auth.provider.AuthorizerProvider;
import io.e4j.server.internal.broker.AccessPolicy.Client;
import io.e4j.server.internal.broker.AccessPolicy.Role;
import io.e4j.server.internal.broker.AccessPolicy.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authorizes each PUBLISH and each subscription by the {@link AccessPolicy}, with one authorizer
 * per connection (HiveMQ asks for it at the connection's first publish or subscribe and keeps it),
 * bound to the connection's {@link Client}: what it remembers makes a device's messages one map
 * lookup. Decisions that ask C2's directory wait on a lookup thread.
 */
final class Authorizations implements AuthorizerProvider {
  private static final Logger LOG = LoggerFactory.getLogger(Authorizations.class);

  private final AccessPolicy policy;
  private final Connections connections;
  private final Lookups lookups;

  Authorizations(AccessPolicy policy, Connections connections, Lookups lookups) {
    this.policy = policy;
    this.connections = connections;
    this.lookups = lookups;
  }

  @Override
  public Authorizer getAuthorizer(AuthorizerProviderInput input) {
    Client client = connections.of(input.getConnectionInformation());
    if (client == null) {
      LOG.warn(
          "broker has no login for client {}: refusing its publishes and subscriptions",
          input.getClientInformation().getClientId());
    }
    return new ConnectionAuthorizer(client);
  }

  /** One connection's: {@code client} null refuses everything (never logged in through C2). */
  private final class ConnectionAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {
    private final Client client;

    ConnectionAuthorizer(Client client) {
      this.client = client;
    }

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
      String topic = input.getPublishPacket().getTopic();
      boolean retain = input.getPublishPacket().getRetain();
      Verdict known =
          client == null ? Verdict.NOT_AUTHORIZED : policy.publishIfKnown(client, topic, retain);
      if (known != null) {
        publish(output, known, topic, retain);
        return;
      }
      Async<PublishAuthorizerOutput> async = output.async(Lookups.TIMEOUT, TimeoutFallback.FAILURE);
      lookups.offload(
          () -> publish(output, policy.publish(client, topic, retain), topic, retain),
          () ->
              output.failAuthorization(
                  AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "C2 could not check the topic"),
          async::resume);
    }

    @Override
    public void authorizeSubscribe(
        SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
      String filter = input.getSubscription().getTopicFilter();
      Verdict known =
          client == null ? Verdict.NOT_AUTHORIZED : policy.subscribeIfKnown(client, filter);
      if (known != null) {
        subscribe(output, known, filter);
        return;
      }
      Async<SubscriptionAuthorizerOutput> async =
          output.async(Lookups.TIMEOUT, TimeoutFallback.FAILURE);
      lookups.offload(
          () -> subscribe(output, policy.subscribe(client, filter), filter),
          () ->
              output.failAuthorization(
                  SubackReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "C2 could not check the topic"),
          async::resume);
    }

    /** A refused PUBLISH: MQTT 5 gets NOT_AUTHORIZED, then HiveMQ disconnects the client. */
    private void publish(
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

    private void subscribe(SubscriptionAuthorizerOutput output, Verdict verdict, String filter) {
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
}
