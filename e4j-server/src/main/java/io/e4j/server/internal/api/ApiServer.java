package io.e4j.server.internal.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import com.linecorp.armeria.common.metric.MeterIdPrefixFunction;
import com.linecorp.armeria.common.sse.ServerSentEvent;
import com.linecorp.armeria.common.stream.StreamMessage;
import com.linecorp.armeria.common.stream.StreamWriter;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.docs.DocService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import com.linecorp.armeria.server.streaming.ServerSentEvents;
import io.e4j.server.C2Config;
import io.e4j.server.C2Event;
import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.e4j.server.Role;
import io.e4j.server.internal.change.Changes;
import io.e4j.server.internal.journal.Journal;
import io.e4j.server.internal.operations.CallerService;
import io.e4j.server.internal.store.Database;
import io.e4j.server.internal.tokens.ApiTokens;
import io.e4j.server.internal.transport.Transport;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.ssl.ClientAuth;
import java.io.File;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C2's API on one TLS port: the gRPC service and its HTTP/JSON form, the event stream as
 * Server-Sent Events, the compatibility routes of Teserakt's C2, health, readiness, Prometheus
 * metrics and the API's documentation.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(2);

  private final Server server;
  private final EventFollower events;

  private ApiServer(Server server, EventFollower events) {
    this.server = server;
    this.events = events;
  }

  /** What the API serves. */
  public record Parts(
      CallerService operations,
      ApiTokens tokens,
      Changes changes,
      Journal journal,
      Database database,
      Transport transport,
      PrometheusMeterRegistry registry) {}

  /** Starts serving; fails if the port cannot be bound. */
  public static ApiServer start(C2Config.Api settings, ApiCertificate certificate, Parts parts) {
    Access access = new Access(parts.tokens(), parts.changes());
    EventFollower events = new EventFollower(parts.journal());
    ServerBuilder builder =
        Server.builder()
            .https(new InetSocketAddress(settings.host(), settings.port()))
            .tls(
                TlsKeyPair.of(
                    certificate.privateKey().toFile(), certificate.certificate().toFile()))
            .meterRegistry(parts.registry())
            .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(5));
    if (settings.clientCa() != null) {
      File trusted = settings.clientCa().toFile();
      builder.tlsCustomizer(tls -> tls.clientAuth(ClientAuth.REQUIRE).trustManager(trusted));
    }
    builder.service(
        GrpcService.builder()
            .addService(new C2GrpcService(parts.operations(), parts.tokens(), events))
            .addService(ProtoReflectionServiceV1.newInstance())
            .intercept(new AccessInterceptor(access))
            .enableHttpJsonTranscoding(true)
            // Zero counts and empty lists too: a script reads "devices": 0, not a missing field.
            .jsonMarshallerFactory(
                service ->
                    GrpcJsonMarshaller.builder()
                        .jsonMarshallerCustomizer(json -> json.includingDefaultValueFields(true))
                        .build(service))
            .enableUnframedRequests(true)
            .useBlockingTaskExecutor(true)
            .build(),
        MetricCollectingService.newDecorator(MeterIdPrefixFunction.ofDefault("e4j.api")));
    builder.service(
        "/v1/events/stream",
        authorized(access, "StreamEvents", Role.VIEWER, (ctx, req) -> eventStream(ctx, events)));
    CompatibilityRoutes.addTo(builder, access, parts.operations());
    builder.service("/health", (ctx, req) -> HttpResponse.ofJson(health("UP")));
    builder.service(
        "/ready", (ctx, req) -> blocking(ctx, () -> ready(parts.database(), parts.transport())));
    builder.service(
        "/metrics",
        authorized(
            access,
            "Metrics",
            Role.VIEWER,
            (ctx, req) ->
                blocking(
                    ctx,
                    () ->
                        HttpResponse.of(
                            HttpStatus.OK,
                            MediaType.parse("text/plain; version=0.0.4; charset=utf-8"),
                            parts.registry().scrape()))));
    builder.serviceUnder("/docs", DocService.builder().build());
    Server server = builder.build();
    try {
      server.start().join();
    } catch (RuntimeException e) {
      throw new C2Exception(
          Reason.CONFIGURATION,
          "cannot serve the API on "
              + settings.host()
              + ":"
              + settings.port()
              + ": "
              + rootMessage(e),
          e);
    }
    return new ApiServer(server, events);
  }

  /** The port the API listens on. */
  public int port() {
    return server.activeLocalPort();
  }

  /** Ends the event streams (their clients resume elsewhere or later), then stops serving. */
  @Override
  public void close() {
    events.close();
    server.stop().join();
  }

  /**
   * Wraps {@code service} (a route outside the gRPC service) with the same check of token and role;
   * the check runs on the blocking executor, as it may read the database.
   */
  static HttpService authorized(Access access, String operation, Role needed, HttpService service) {
    DecoratingHttpServiceFunction check =
        (delegate, ctx, req) ->
            HttpResponse.of(
                CompletableFuture.supplyAsync(
                        () ->
                            access.check(
                                req.headers().get(HttpHeaderNames.AUTHORIZATION),
                                operation,
                                needed,
                                ctx.path()),
                        ctx.blockingTaskExecutor())
                    .thenApplyAsync(
                        decision -> {
                          if (!decision.allowed()) {
                            return refusal(decision);
                          }
                          ctx.setAttr(AccessInterceptor.CALLER, decision.caller().orElseThrow());
                          try {
                            return delegate.serve(ctx, req);
                          } catch (Exception e) {
                            return HttpResponse.ofFailure(e);
                          }
                        },
                        ctx.eventLoop()));
    return service.decorate(check);
  }

  /** A refused call over plain HTTP: 401 or 403, with the reason as JSON. */
  static HttpResponse refusal(Access.Decision decision) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", decision.refusal());
    return HttpResponse.ofJson(
        decision.authenticated() ? HttpStatus.FORBIDDEN : HttpStatus.UNAUTHORIZED, body);
  }

  /** Events after {@code ?after=N} or the Last-Event-ID header, then each new one. */
  private static HttpResponse eventStream(ServiceRequestContext ctx, EventFollower follower) {
    ctx.clearRequestTimeout();
    String lastEventId = ctx.request().headers().get("last-event-id");
    String after = ctx.queryParam("after");
    long from;
    try {
      from = Long.parseLong(lastEventId != null ? lastEventId : after != null ? after : "0");
    } catch (NumberFormatException e) {
      return HttpResponse.of(
          HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, "after: a sequence number");
    }
    StreamWriter<ServerSentEvent> writer = StreamMessage.streaming();
    JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
    EventFollower.Sink sink =
        new EventFollower.Sink() {
          @Override
          public boolean gone() {
            return !writer.isOpen();
          }

          @Override
          public void awaitReady() throws InterruptedException {
            // Back-pressure: what was written must be taken before more is.
            CompletableFuture<Void> consumed = writer.whenConsumed();
            while (writer.isOpen()) {
              try {
                consumed.get(1, TimeUnit.SECONDS);
                return;
              } catch (ExecutionException e) {
                return;
              } catch (TimeoutException e) {
                // The client may have gone without closing: look again.
              }
            }
          }

          @Override
          public void send(C2Event event) {
            try {
              writer.tryWrite(
                  ServerSentEvent.builder()
                      .id(Long.toString(event.sequence()))
                      .event(event.type().name())
                      .data(printer.print(Protos.event(event)))
                      .build());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              throw new IllegalStateException("an event does not print as JSON", e);
            }
          }
        };
    follower.follow(from, sink, writer::close);
    return ServerSentEvents.fromPublisher(writer);
  }

  private static HttpResponse blocking(ServiceRequestContext ctx, Supplier<HttpResponse> response) {
    return HttpResponse.of(CompletableFuture.supplyAsync(response, ctx.blockingTaskExecutor()));
  }

  private static ObjectNode health(String status) {
    ObjectNode body = JSON.createObjectNode();
    body.put("status", status);
    return body;
  }

  /** 200 when the database answers and the transport is connected; 503 with what is not. */
  private static HttpResponse ready(Database database, Transport transport) {
    ObjectNode body = health("READY");
    boolean ready = true;
    ObjectNode store = body.putObject("database");
    try {
      database.checkReachable(READY_TIMEOUT);
      store.put("ok", true);
    } catch (RuntimeException e) {
      ready = false;
      store.put("ok", false).put("error", e.getMessage());
    }
    boolean connected = transport.connected();
    body.putObject("broker").put("ok", connected).put("transport", transport.describe());
    ready &= connected;
    if (!ready) {
      body.put("status", "NOT_READY");
      LOG.debug("not ready: {}", body);
    }
    return HttpResponse.ofJson(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, body);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
