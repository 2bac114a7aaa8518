package io.e4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.CreateTopicRequest;
import io.e4j.api.v1.DeviceRef;
import io.e4j.api.v1.Event;
import io.e4j.api.v1.EventType;
import io.e4j.api.v1.LinkRequest;
import io.e4j.api.v1.ListEventsRequest;
import io.e4j.api.v1.Role;
import io.e4j.api.v1.StreamEventsRequest;
import io.e4j.mqtt.Mosquitto;
import io.e4j.server.node.C2Server;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event stream: a client that disconnects in the middle of 1,000 operations and resumes from
 * the last sequence number it received sees every event exactly once, in order; over gRPC and over
 * Server-Sent Events.
 */
class ApiEventsIT {
  private static final int OPERATIONS = 1_000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path directory;
  static Mosquitto broker;
  static C2Server server;
  static ApiClients clients;
  static String viewer;
  static C2Grpc.C2BlockingStub operator;

  @BeforeAll
  static void start() throws Exception {
    broker = Mosquitto.start(Files.createDirectories(directory.resolve("broker")));
    Path data = directory.resolve("c2");
    server = ApiClients.startC2(data, CryptoMode.SYMMETRIC_KEY, broker.port());
    clients = new ApiClients(server);
    C2Grpc.C2BlockingStub admin = clients.grpc(ApiClients.adminToken(data));
    viewer = ApiClients.token(admin, "watcher", Role.VIEWER);
    operator = clients.grpc(ApiClients.token(admin, "ops", Role.OPERATOR));
  }

  @AfterAll
  static void stop() {
    if (clients != null) {
      clients.close();
    }
    if (server != null) {
      server.close();
    }
    broker.close();
  }

  @Test
  void grpcStream_disconnectedMidwayAndResumed_seesEveryEventOnceInOrder() throws Exception {
    long start = server.service().lastEventSequence();
    List<Event> received = new CopyOnWriteArrayList<>();
    ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
    clients
        .grpcAsync(viewer)
        .streamEvents(
            StreamEventsRequest.newBuilder().setAfter(start).build(), collector(received, call));

    ExecutorService operations = Executors.newSingleThreadExecutor();
    try {
      Future<?> done = operations.submit(() -> operate("grpc"));
      await().atMost(WAIT).until(() -> received.size() >= 300);
      call[0].cancel("disconnecting on purpose", null);
      long last = received.get(received.size() - 1).getSequence();
      int before = received.size();
      assertThat(done).isNotDone();

      List<Event> resumed = new CopyOnWriteArrayList<>();
      clients
          .grpcAsync(viewer)
          .streamEvents(
              StreamEventsRequest.newBuilder().setAfter(last).build(), collector(resumed, call));
      done.get();
      long end = server.service().lastEventSequence();
      await()
          .atMost(WAIT)
          .until(() -> !resumed.isEmpty() && resumed.get(resumed.size() - 1).getSequence() >= end);
      call[0].cancel("done", null);

      List<Event> all = new ArrayList<>(received.subList(0, before));
      resumed.stream().filter(event -> event.getSequence() <= end).forEach(all::add);
      assertEveryEventOnceInOrder(all, start, end);
    } finally {
      operations.shutdownNow();
    }
  }

  @Test
  void serverSentEvents_disconnectedMidwayAndResumedWithLastEventId_seeEveryEventOnceInOrder()
      throws Exception {
    long start = server.service().lastEventSequence();
    ExecutorService operations = Executors.newSingleThreadExecutor();
    try {
      Future<?> done = operations.submit(() -> operate("sse"));
      List<Long> sequences = new ArrayList<>();
      try (Stream<String> lines =
          clients.stream("/v1/events/stream?after=" + start, viewer).body()) {
        Iterator<String> it = lines.iterator();
        while (sequences.size() < 300 && it.hasNext()) {
          String line = it.next();
          if (line.startsWith("id:")) {
            sequences.add(Long.parseLong(line.substring(3).trim()));
          }
        }
      }
      assertThat(done).isNotDone();
      done.get();
      long end = server.service().lastEventSequence();
      var resumed =
          clients.streamResuming("/v1/events/stream", viewer, sequences.get(sequences.size() - 1));
      try (Stream<String> lines = resumed.body()) {
        Iterator<String> it = lines.iterator();
        while (sequences.get(sequences.size() - 1) < end && it.hasNext()) {
          String line = it.next();
          if (line.startsWith("id:")) {
            sequences.add(Long.parseLong(line.substring(3).trim()));
          }
        }
      }
      assertThat(sequences).hasSize((int) (end - start));
      for (int i = 0; i < sequences.size(); i++) {
        assertThat(sequences.get(i)).isEqualTo(start + i + 1);
      }
    } finally {
      operations.shutdownNow();
    }
  }

  @Test
  void listingEvents_pagesThroughTheSameSequence() {
    operator.createTopic(CreateTopicRequest.newBuilder().setTopic("events/listed").build());
    long last = server.service().lastEventSequence();
    var page =
        clients
            .grpc(viewer)
            .listEvents(ListEventsRequest.newBuilder().setAfter(last - 1).setLimit(10).build());
    assertThat(page.getLastSequence()).isGreaterThanOrEqualTo(last);
    assertThat(page.getEvents(0).getSequence()).isEqualTo(last);
    assertThat(page.getEvents(0).getType()).isEqualTo(EventType.TOPIC_CREATED);
    assertThat(page.getEvents(0).getTopic()).isEqualTo("events/listed");
    assertThat(page.getEvents(0).getActor()).isEqualTo("ops");
  }

  /** 1,000 operations through the API: a topic, then devices created and linked to it. */
  private static void operate(String prefix) {
    String topic = "events/" + prefix;
    operator.createTopic(CreateTopicRequest.newBuilder().setTopic(topic).build());
    for (int i = 1; i < OPERATIONS; i += 2) {
      DeviceRef device = DeviceRef.newBuilder().setName(prefix + "-device-" + i).build();
      operator.createDevice(
          CreateDeviceRequest.newBuilder().setDevice(device).setGenerate(true).build());
      operator.link(LinkRequest.newBuilder().setDevice(device).setTopic(topic).build());
    }
  }

  private static ClientResponseObserver<StreamEventsRequest, Event> collector(
      List<Event> into, ClientCallStreamObserver<?>[] call) {
    return new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<StreamEventsRequest> stream) {
        call[0] = stream;
      }

      @Override
      public void onNext(Event event) {
        into.add(event);
      }

      @Override
      public void onError(Throwable failure) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static void assertEveryEventOnceInOrder(List<Event> events, long start, long end) {
    assertThat(events).hasSize((int) (end - start));
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).getSequence()).isEqualTo(start + i + 1);
    }
    assertThat(events.stream().filter(e -> e.getType() == EventType.DEVICE_CREATED).count())
        .isEqualTo(OPERATIONS / 2);
    assertThat(events.stream().filter(e -> e.getType() == EventType.LINKED).count())
        .isEqualTo(OPERATIONS / 2);
  }
}
