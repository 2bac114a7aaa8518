package io.e4j.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.e4j.api.v1.C2Grpc;
import io.e4j.api.v1.CreateDeviceRequest;
import io.e4j.api.v1.CreateDeviceResult;
import io.e4j.api.v1.CreateDevicesRequest;
import io.e4j.api.v1.CreateDevicesResponse;
import io.e4j.api.v1.CreateTokenRequest;
import io.e4j.api.v1.CreateTopicRequest;
import io.e4j.api.v1.DeviceRef;
import io.e4j.api.v1.LinkDevicesRequest;
import io.e4j.api.v1.LinkDevicesResponse;
import io.e4j.api.v1.LinkRequest;
import io.e4j.api.v1.LinkResult;
import io.e4j.api.v1.Role;
import io.e4j.core.Keys;
import io.e4j.server.C2Config;
import io.e4j.server.node.C2Server;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Load driver for C2's API: creates devices and links them to topics over gRPC and TLS, one device
 * per call and {@value #BATCH} per call, from several client threads at once. C2 runs in this JVM
 * (so the clients share its cores, as the broker and the database do), on H2 or PostgreSQL, and
 * delivers through a real Mosquitto. Prints devices and calls per second, each call's latency
 * percentiles and the errors (a call that failed, or a device a batch refused); exits with status 1
 * if there was any.
 *
 * <p>Every scenario works on devices and a topic of its own; the devices a link scenario links are
 * created through the API beforehand. A warm-up pass runs every scenario once with the most
 * clients, on a fifth of the devices, so that the measured passes run compiled code. After each
 * link scenario the driver waits until the outbox has delivered every SetTopicKey it enqueued and
 * prints how long that took after the last call: the next scenario starts with an empty outbox.
 *
 * <pre>
 * java -Xmx2g -cp e4j-bench/target/benchmarks.jar io.e4j.bench.ApiLoad \
 *     [single-calls [batched-devices [clients]]] [jdbc-url user password]
 * </pre>
 *
 * Defaults: 5,000 single calls, 50,000 batched devices, clients "1,8" (comma-separated), H2. A
 * PostgreSQL database must be empty. C2's data directory is deleted at the end.
 */
public final class ApiLoad {
  private static final int BATCH = 500;

  /** The API's largest batch, for the untimed creation of the devices a link scenario needs. */
  private static final int SETUP_BATCH = 1_000;

  private static final int WARM_UP_FRACTION = 5;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private static final String HEADER =
      String.format(
          "%-24s %7s %10s %9s %8s %8s %8s %8s %6s  %s",
          "scenario",
          "clients",
          "devices/s",
          "calls/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "max ms",
          "errors",
          "outbox empty after last call");

  private final C2Server server;
  private final C2Grpc.C2BlockingStub operator;
  private int errors;

  private ApiLoad(C2Server server, C2Grpc.C2BlockingStub operator) {
    this.server = server;
    this.operator = operator;
  }

  /** The command line: how many devices, how many clients, which store. */
  private record Arguments(
      int singleCalls, int batchedDevices, List<Integer> clients, C2Config.Database database) {

    static Arguments parse(String[] args) {
      int jdbc = 0;
      while (jdbc < args.length && !args[jdbc].startsWith("jdbc:")) {
        jdbc++;
      }
      if (jdbc > 3 || (jdbc < args.length && args.length != jdbc + 3)) {
        throw new IllegalArgumentException(
            "usage: ApiLoad [single-calls [batched-devices [clients]]] [jdbc-url user password]");
      }
      return new Arguments(
          jdbc > 0 ? Integer.parseInt(args[0]) : 5_000,
          jdbc > 1 ? Integer.parseInt(args[1]) : 50_000,
          jdbc > 2
              ? Arrays.stream(args[2].split(",")).map(Integer::valueOf).toList()
              : List.of(1, 8),
          jdbc < args.length
              ? C2Config.Database.of(args[jdbc], args[jdbc + 1], args[jdbc + 2])
              : C2Config.Database.embedded());
    }

    /** The store, without credentials (a JDBC URL's query may hold a password). */
    String store() {
      if (database.isEmbedded()) {
        return "H2 (embedded)";
      }
      int query = database.url().indexOf('?');
      return query < 0 ? database.url() : database.url().substring(0, query);
    }
  }

  public static void main(String[] args) throws Exception {
    Arguments arguments = Arguments.parse(args);
    Path work = Files.createTempDirectory("e4j-api-load");
    Path data = work.resolve("c2");
    int errors;
    try (LocalMosquitto mosquitto = LocalMosquitto.start(work)) {
      C2Config config =
          C2Config.defaults(data)
              .withApi(C2Config.Api.onPort(0))
              .withDatabase(arguments.database())
              .withBroker(C2Config.Mqtt.plain("127.0.0.1", mosquitto.port()));
      try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of());
          ClientFactory factory = trusting(server)) {
        ApiLoad load = new ApiLoad(server, operatorStub(server, factory, data));
        load.run(arguments);
        errors = load.errors;
      }
    } finally {
      deleteTree(data);
    }
    System.exit(errors == 0 ? 0 : 1);
  }

  /**
   * Deletes C2's data directory: an H2 store of a default run takes up to 2 GB, and the directory
   * holds the KEK and the admin token. Mosquitto's log stays, for a broker that failed.
   */
  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static ClientFactory trusting(C2Server server) {
    Path certificate = server.apiCertificate().orElseThrow();
    return ClientFactory.builder()
        .tlsCustomizer(tls -> tls.trustManager(certificate.toFile()))
        .build();
  }

  /** A stub for an operator token that the bootstrap admin token creates. */
  private static C2Grpc.C2BlockingStub operatorStub(
      C2Server server, ClientFactory factory, Path dataDirectory) throws Exception {
    String admin = Files.readString(dataDirectory.resolve(C2Server.ADMIN_TOKEN_FILE), UTF_8).trim();
    String operator =
        stub(server, factory, admin)
            .createToken(
                CreateTokenRequest.newBuilder().setName("load").setRole(Role.OPERATOR).build())
            .getToken();
    return stub(server, factory, operator);
  }

  private static C2Grpc.C2BlockingStub stub(C2Server server, ClientFactory factory, String token) {
    return GrpcClients.builder("https://127.0.0.1:" + server.apiPort().orElseThrow())
        .factory(factory)
        .responseTimeout(CALL_TIMEOUT)
        .addHeader("authorization", "Bearer " + token)
        .build(C2Grpc.C2BlockingStub.class);
  }

  private void run(Arguments arguments) throws InterruptedException {
    System.out.printf(
        "environment: %d cores, store %s, Java %s (%s), load average %.2f at start%n",
        Runtime.getRuntime().availableProcessors(),
        arguments.store(),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        loadAverage());
    int mostClients = arguments.clients().stream().max(Integer::compare).orElseThrow();
    System.out.printf(
        "%nwarm-up with the most clients (%d), on a fifth of the devices (code still compiling):%n%s%n",
        mostClients, HEADER);
    runAll(
        "warm",
        Math.max(1, arguments.singleCalls() / WARM_UP_FRACTION),
        Math.max(BATCH, arguments.batchedDevices() / WARM_UP_FRACTION),
        mostClients);
    System.out.printf("%nmeasured:%n%s%n", HEADER);
    for (int clients : arguments.clients()) {
      runAll("c" + clients, arguments.singleCalls(), arguments.batchedDevices(), clients);
    }
    System.out.printf("%nload average %.2f at end, errors %d%n", loadAverage(), errors);
  }

  private void runAll(String pass, int singleCalls, int batchedDevices, int clients)
      throws InterruptedException {
    createEach(pass + "-create-each", singleCalls, clients);
    createBatched(pass + "-create-batched", batchedDevices, clients);
    linkEach(pass + "-link-each", singleCalls, clients);
    linkBatched(pass + "-link-batched", batchedDevices, clients);
  }

  private void createEach(String prefix, int devices, int clients) throws InterruptedException {
    Figures figures =
        measure(
            devices,
            1,
            clients,
            (first, count) -> {
              CreateDeviceRequest request = newDevice(prefix, first);
              return () -> {
                operator.createDevice(request);
                return 0;
              };
            });
    print("CreateDevice", clients, figures, "");
  }

  private void createBatched(String prefix, int devices, int clients) throws InterruptedException {
    Figures figures =
        measure(
            devices,
            BATCH,
            clients,
            (first, count) -> {
              CreateDevicesRequest request = newDevices(prefix, first, count);
              return () -> refused(operator.createDevices(request));
            });
    print("CreateDevices x" + BATCH, clients, figures, "");
  }

  private void linkEach(String prefix, int devices, int clients) throws InterruptedException {
    String topic = prepareLinks(prefix, devices);
    Figures figures =
        measure(
            devices,
            1,
            clients,
            (first, count) -> {
              LinkRequest request =
                  LinkRequest.newBuilder().setDevice(device(prefix, first)).setTopic(topic).build();
              return () -> {
                operator.link(request);
                return 0;
              };
            });
    print("Link", clients, figures, awaitDelivered());
  }

  private void linkBatched(String prefix, int devices, int clients) throws InterruptedException {
    String topic = prepareLinks(prefix, devices);
    Figures figures =
        measure(
            devices,
            BATCH,
            clients,
            (first, count) -> {
              LinkDevicesRequest.Builder request = LinkDevicesRequest.newBuilder().setTopic(topic);
              for (int i = first; i < first + count; i++) {
                request.addDevices(device(prefix, i));
              }
              LinkDevicesRequest built = request.build();
              return () -> refused(operator.linkDevices(built));
            });
    print("LinkDevices x" + BATCH, clients, figures, awaitDelivered());
  }

  /** Creates the scenario's topic and devices, untimed; returns the topic. */
  private String prepareLinks(String prefix, int devices) {
    String topic = "load/" + prefix;
    operator.createTopic(CreateTopicRequest.newBuilder().setTopic(topic).build());
    for (int first = 0; first < devices; first += SETUP_BATCH) {
      int count = Math.min(SETUP_BATCH, devices - first);
      if (refused(operator.createDevices(newDevices(prefix, first, count))) > 0) {
        throw new IllegalStateException("could not create the devices to link");
      }
    }
    return topic;
  }

  /** Waits until the outbox holds nothing to deliver; returns how long that took. */
  private String awaitDelivered() throws InterruptedException {
    long start = System.nanoTime();
    while (server.service().undeliveredCount() > 0) {
      Thread.sleep(50);
    }
    return String.format("%.2f s", (System.nanoTime() - start) / 1e9);
  }

  private static CreateDevicesRequest newDevices(String prefix, int first, int count) {
    CreateDevicesRequest.Builder request = CreateDevicesRequest.newBuilder();
    for (int i = first; i < first + count; i++) {
      request.addDevices(newDevice(prefix, i));
    }
    return request.build();
  }

  private static CreateDeviceRequest newDevice(String prefix, int index) {
    return CreateDeviceRequest.newBuilder()
        .setDevice(device(prefix, index))
        .setKey(ByteString.copyFrom(Keys.randomKey()))
        .build();
  }

  private static DeviceRef device(String prefix, int index) {
    return DeviceRef.newBuilder().setName(prefix + "-" + index).build();
  }

  /** A batch's refused devices: counted as errors, the first one's reason printed. */
  private static int refused(CreateDevicesResponse response) {
    response.getResultsList().stream()
        .filter(CreateDeviceResult::hasError)
        .findFirst()
        .ifPresent(result -> System.err.println("refused: " + result.getError().getMessage()));
    return response.getFailed();
  }

  private static int refused(LinkDevicesResponse response) {
    response.getResultsList().stream()
        .filter(LinkResult::hasError)
        .findFirst()
        .ifPresent(result -> System.err.println("refused: " + result.getError().getMessage()));
    return response.getFailed();
  }

  /** Prepares the call for devices [first, first + count); the prepared call returns refusals. */
  @FunctionalInterface
  private interface Scenario {
    IntSupplier prepare(int first, int count);
  }

  private record Figures(int devices, int calls, long nanos, Histogram latencies, int errors) {}

  /**
   * Makes the calls that cover {@code devices}, {@code perCall} at a time, from {@code clients}
   * threads that each take the next call as soon as their last one returns.
   */
  private Figures measure(int devices, int perCall, int clients, Scenario scenario)
      throws InterruptedException {
    ExecutorService threads = Executors.newFixedThreadPool(clients);
    try {
      return makeCalls(devices, perCall, clients, scenario, threads);
    } finally {
      threads.shutdown();
    }
  }

  private Figures makeCalls(
      int devices, int perCall, int clients, Scenario scenario, ExecutorService threads)
      throws InterruptedException {
    int calls = (devices + perCall - 1) / perCall;
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    List<Future<Histogram>> results = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < clients; t++) {
      results.add(
          threads.submit(
              () -> {
                Histogram latencies = new Histogram(3);
                for (int call = next.getAndIncrement();
                    call < calls;
                    call = next.getAndIncrement()) {
                  int first = call * perCall;
                  IntSupplier prepared =
                      scenario.prepare(first, Math.min(perCall, devices - first));
                  long sent = System.nanoTime();
                  try {
                    failures.addAndGet(prepared.getAsInt());
                  } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, e.toString());
                  }
                  latencies.recordValue(System.nanoTime() - sent);
                }
                return latencies;
              }));
    }
    Histogram latencies = new Histogram(3);
    for (Future<Histogram> result : results) {
      try {
        latencies.add(result.get());
      } catch (ExecutionException e) {
        throw new IllegalStateException("a client thread failed", e.getCause());
      }
    }
    long nanos = System.nanoTime() - start;
    if (firstFailure.get() != null) {
      System.err.println("failed: " + firstFailure.get());
    }
    errors += failures.get();
    return new Figures(devices, calls, nanos, latencies, failures.get());
  }

  private static void print(String scenario, int clients, Figures figures, String delivered) {
    double seconds = figures.nanos() / 1e9;
    Histogram latencies = figures.latencies();
    System.out.printf(
        "%-24s %7d %,10.0f %,9.1f %8.2f %8.2f %8.2f %8.2f %6d  %s%n",
        scenario,
        clients,
        figures.devices() / seconds,
        figures.calls() / seconds,
        millis(latencies.getValueAtPercentile(50)),
        millis(latencies.getValueAtPercentile(90)),
        millis(latencies.getValueAtPercentile(99)),
        millis(latencies.getMaxValue()),
        figures.errors(),
        delivered);
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
