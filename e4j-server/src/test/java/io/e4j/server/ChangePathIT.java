package io.e4j.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.operations.CallerService;
import io.e4j.server.node.C2Server;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every mutating operation of {@link C2Service} goes through the one change path: allowed, it
 * leaves exactly one audit record ("OK") and the events it caused, in the caller's name; refused
 * (by its check, by the store, or by the caller's role), exactly one audit record with the reason
 * and no event. A new operation of C2Service fails this test until it is listed here, as a read or
 * with its scenarios.
 */
class ChangePathIT {
  /** The operations that change nothing and are not audited. */
  private static final Set<String> READS =
      Set.of(
          "mode",
          "device",
          "devices",
          "deviceCount",
          "topic",
          "topics",
          "topicCount",
          "topicsOf",
          "topicCountOf",
          "devicesOf",
          "deviceCountOf",
          "publicKeysHeldBy",
          "c2PublicKey",
          "events",
          "lastEventSequence",
          "audit",
          "deliveries",
          "topicStatus",
          "deviceStatus",
          "undeliveredCount");

  private static final DeviceRef ONE = DeviceRef.name("path-1");
  private static final DeviceRef TWO = DeviceRef.name("path-2");
  private static final DeviceRef THREE = DeviceRef.name("path-3");
  private static final DeviceRef NOBODY = DeviceRef.name("nobody");
  private static final String TOPIC = "path/topic";

  @TempDir Path dataDirectory;

  /**
   * One operation: what it does when allowed ({@code null}: not in this mode), when refused, the
   * action the audit log names it by, and whether it reports events.
   */
  private record Scenario(
      String action, Consumer<C2Service> allowed, Consumer<C2Service> refused, boolean events) {}

  private static Map<String, Scenario> scenarios(CryptoMode mode) {
    boolean pk = mode == CryptoMode.PUBLIC_KEY;
    byte[][] message = {null};
    Map<String, Scenario> all = new LinkedHashMap<>();
    all.put(
        "createTopic",
        new Scenario(
            "CreateTopic", c2 -> c2.createTopic(TOPIC), c2 -> c2.createTopic(TOPIC), true));
    all.put(
        "createDevice",
        new Scenario(
            "CreateDevice",
            c2 -> c2.createDevice(NewDevice.of(ONE, new DeviceCredential.Generate())),
            c2 -> c2.createDevice(NewDevice.of(ONE, new DeviceCredential.Generate())),
            true));
    all.put(
        "createDevices",
        new Scenario(
            "CreateDevices",
            c2 ->
                c2.createDevices(
                    List.of(
                        NewDevice.of(TWO, new DeviceCredential.Generate()),
                        NewDevice.of(THREE, new DeviceCredential.Generate()))),
            c2 -> c2.createDevices(List.of()),
            true));
    all.put(
        "link",
        new Scenario("Link", c2 -> c2.link(ONE, TOPIC), c2 -> c2.link(NOBODY, TOPIC), true));
    all.put(
        "linkAll",
        new Scenario(
            "LinkDevices",
            c2 -> c2.linkAll(List.of(TWO, THREE), TOPIC),
            c2 -> c2.linkAll(List.of(TWO), "path/none"),
            true));
    all.put(
        "unlink",
        new Scenario("Unlink", c2 -> c2.unlink(THREE, TOPIC), c2 -> c2.unlink(THREE, TOPIC), true));
    all.put(
        "rotateTopicKey",
        new Scenario(
            "RotateTopic",
            c2 -> c2.rotateTopicKey(TOPIC),
            c2 -> c2.rotateTopicKey("path/none"),
            true));
    all.put(
        "resyncDevice",
        new Scenario(
            "ResyncDevice", c2 -> c2.resyncDevice(ONE), c2 -> c2.resyncDevice(NOBODY), true));
    all.put(
        "newDeviceKey",
        new Scenario(
            "NewDeviceKey", c2 -> c2.newDeviceKey(ONE), c2 -> c2.newDeviceKey(NOBODY), true));
    all.put(
        "resetDevice",
        new Scenario("ResetDevice", c2 -> c2.resetDevice(TWO), c2 -> c2.resetDevice(NOBODY), true));
    all.put(
        "sendPublicKey",
        new Scenario(
            "SendPublicKey",
            pk ? c2 -> c2.sendPublicKey(ONE, TWO) : null,
            c2 -> c2.sendPublicKey(NOBODY, TWO),
            true));
    all.put(
        "removePublicKey",
        new Scenario(
            "RemovePublicKey",
            pk ? c2 -> c2.removePublicKey(ONE, TWO) : null,
            c2 -> c2.removePublicKey(ONE, TWO),
            true));
    all.put(
        "resetPublicKeys",
        new Scenario(
            "ResetPublicKeys",
            pk ? c2 -> c2.resetPublicKeys(TWO) : null,
            c2 -> c2.resetPublicKeys(NOBODY),
            true));
    all.put(
        "newC2Key",
        new Scenario(
            "NewC2Key", pk ? C2Service::newC2Key : null, pk ? null : C2Service::newC2Key, true));
    all.put(
        "protectMessage",
        new Scenario(
            "ProtectMessage",
            pk ? null : c2 -> message[0] = c2.protectMessage(TOPIC, "21.5 C".getBytes(UTF_8)),
            c2 -> c2.protectMessage("path/none", new byte[1]),
            false));
    all.put(
        "unprotectMessage",
        new Scenario(
            "UnprotectMessage",
            pk ? null : c2 -> c2.unprotectMessage(TOPIC, message[0]),
            c2 -> c2.unprotectMessage(TOPIC, new byte[40]),
            false));
    all.put(
        "issueBrokerCredential",
        new Scenario(
            "IssueBrokerCredential",
            c2 -> c2.issueBrokerCredential(ONE),
            c2 -> c2.issueBrokerCredential(NOBODY),
            true));
    all.put(
        "revokeBrokerCredential",
        new Scenario(
            "RevokeBrokerCredential",
            c2 -> c2.revokeBrokerCredential(ONE),
            c2 -> c2.revokeBrokerCredential(ONE),
            true));
    all.put(
        "removeDevice",
        new Scenario(
            "RemoveDevice", c2 -> c2.removeDevice(THREE), c2 -> c2.removeDevice(NOBODY), true));
    all.put(
        "removeTopic",
        new Scenario(
            "RemoveTopic", c2 -> c2.removeTopic(TOPIC), c2 -> c2.removeTopic(TOPIC), true));
    return all;
  }

  @ParameterizedTest
  @EnumSource(CryptoMode.class)
  void everyMutation_leavesOneAuditRecordAndItsEvents_allowedOrRefused(CryptoMode mode) {
    C2Config config =
        C2Config.defaults(dataDirectory)
            .withApi(C2Config.Api.disabled())
            .withMode(mode)
            .withBroker(new C2Config.EmbeddedMqtt("127.0.0.1", 0));
    try (C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of())) {
      CallerService c2 = (CallerService) server.service();
      CallerService viewer = c2.as(new Caller("path-viewer", Role.VIEWER));
      Map<String, Scenario> scenarios = scenarios(mode);
      assertThat(scenarios.keySet())
          .containsExactlyInAnyOrderElementsOf(mutationsOf(C2Service.class));

      List<String> checked = new ArrayList<>();
      for (Scenario scenario : scenarios.values()) {
        if (scenario.allowed() != null) {
          List<AuditRecord> records = recordsOf(c2, () -> scenario.allowed().accept(c2), scenario);
          assertThat(records)
              .singleElement()
              .satisfies(r -> assertThat(r.outcome()).isEqualTo("OK"));
          checked.add(scenario.action() + " OK");
        }
        if (scenario.refused() != null) {
          List<AuditRecord> records =
              recordsOf(
                  c2,
                  () ->
                      assertThatThrownBy(() -> scenario.refused().accept(c2))
                          .as(scenario.action())
                          .isInstanceOf(C2Exception.class),
                  null);
          assertThat(records)
              .as(scenario.action())
              .singleElement()
              .satisfies(r -> assertThat(r.outcome()).isNotEqualTo("OK"));
          checked.add(scenario.action() + " refused");
        }
        // A viewer may make none of them: the change path refuses it before any check.
        Consumer<C2Service> call =
            scenario.allowed() != null ? scenario.allowed() : scenario.refused();
        List<AuditRecord> denied =
            recordsOf(
                c2,
                () ->
                    assertThatThrownBy(() -> call.accept(viewer))
                        .as(scenario.action() + " by a viewer")
                        .isInstanceOf(C2Exception.class),
                null);
        assertThat(denied)
            .as(scenario.action() + " by a viewer")
            .singleElement()
            .satisfies(
                r -> {
                  assertThat(r.outcome()).isEqualTo("DENIED");
                  assertThat(r.actor()).isEqualTo("path-viewer");
                });
      }
      System.out.println(
          "ChangePathIT " + mode + ": " + checked.size() + " calls checked: " + checked);
    }
  }

  /**
   * Runs {@code call} and returns the audit records it left; checks the events it left in the
   * caller's name: some if {@code allowed} says so, none otherwise.
   */
  private static List<AuditRecord> recordsOf(C2Service c2, Runnable call, Scenario allowed) {
    long newestRecord =
        c2.audit(0, 1, Optional.empty()).stream().mapToLong(AuditRecord::id).max().orElse(0);
    long lastEvent = c2.lastEventSequence();
    call.run();
    List<AuditRecord> records =
        c2.audit(0, 100, Optional.empty()).stream().filter(r -> r.id() > newestRecord).toList();
    List<C2Event> callersEvents =
        c2.events(lastEvent, 1_000).stream().filter(e -> e.actor().isPresent()).toList();
    if (allowed != null && allowed.events()) {
      assertThat(callersEvents).as(allowed.action() + " events").isNotEmpty();
      assertThat(callersEvents).allSatisfy(e -> assertThat(e.actor()).contains("local"));
    } else {
      assertThat(callersEvents).as("events of a refused call or a message").isEmpty();
    }
    records.forEach(
        r -> {
          if (allowed != null) {
            assertThat(r.action()).isEqualTo(allowed.action());
          }
        });
    return records;
  }

  /** The operations of {@code service} that are not reads. */
  private static Set<String> mutationsOf(Class<?> service) {
    return Arrays.stream(service.getMethods())
        .map(Method::getName)
        .filter(name -> !READS.contains(name))
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
