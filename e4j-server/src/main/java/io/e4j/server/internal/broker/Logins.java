package io.e4j.server.internal.broker;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import io.e4j.server.internal.broker.AccessPolicy.Accepted;
import io.e4j.server.internal.broker.AccessPolicy.Client;
import io.e4j.server.internal.broker.AccessPolicy.Refused;
import io.e4j.server.internal.broker.AccessPolicy.Role;
import io.e4j.server.internal.broker.AccessPolicy.Verdict;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each CONNECT by the {@link AccessPolicy}: at once for C2's client ID and in {@code open}
 * mode, on a lookup thread when it asks C2's directory. Labels each accepted connection with a
 * number, by which the authorizers and presence find its {@link Client}.
 */
final class Logins implements SimpleAuthenticator {
  private static final Logger LOG = LoggerFactory.getLogger(Logins.class);

  private final AccessPolicy policy;
  private final Connections connections;
  private final Lookups lookups;
  private final SubscriptionStore subscriptions;
  private final ClientService clients;
  private final AtomicLong numbers = new AtomicLong();

  Logins(
      AccessPolicy policy,
      Connections connections,
      Lookups lookups,
      SubscriptionStore subscriptions,
      ClientService clients) {
    this.policy = policy;
    this.connections = connections;
    this.lookups = lookups;
    this.subscriptions = subscriptions;
    this.clients = clients;
  }

  @Override
  public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
    long connection = numbers.incrementAndGet();
    if (!policy.loginAsksDirectory(input.getConnectPacket().getClientId())) {
      login(input, output, connection);
      return;
    }
    Async<SimpleAuthOutput> async =
        output.async(
            Lookups.TIMEOUT,
            TimeoutFallback.FAILURE,
            ConnackReasonCode.SERVER_UNAVAILABLE,
            "C2 did not check the login in time");
    lookups.offload(
        () -> login(input, output, connection),
        () ->
            output.failAuthentication(
                ConnackReasonCode.SERVER_UNAVAILABLE, "C2 could not check the login: try again"),
        async::resume);
  }

  private void login(SimpleAuthInput input, SimpleAuthOutput output, long connection) {
    ConnectPacket connect = input.getConnectPacket();
    byte[] password = connect.getPassword().map(Logins::bytes).orElse(null);
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
    Connections.label(input.getConnectionInformation(), connection);
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
              .get(Lookups.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
            .get(Lookups.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
            .get(Lookups.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted checking the session of " + client.clientId);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot check the session of client " + client.clientId + ": " + e, e);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
