package io.e4j.server.internal.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.core.Commands;
import io.e4j.server.C2Config;
import io.e4j.server.internal.outbox.DeliveryPlan.RotationStep;
import io.e4j.server.internal.outbox.DeliveryPlan.Start;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The delivery plan's decisions, without a database, a broker or a thread. */
class DeliveryPlanTest {
  private static final byte[] DEVICE_A = {1};
  private static final byte[] DEVICE_B = {2};

  private final DeliveryPlan plan = new DeliveryPlan(10, C2Config.Delivery.defaults());

  // ---- Order per device

  @Test
  void laterCommandOfADevice_waitsForTheEarlierOneToBeAcknowledged() {
    OutboxRow first = row(1, 1, DEVICE_A, false);
    OutboxRow second = row(2, 2, DEVICE_A, true);

    List<OutboxRow> sendable = plan.mayGoNow(List.of(first, second), undelivered(first, second));

    assertThat(sendable).containsExactly(first, second);
    assertThat(plan.start(first)).isEqualTo(Start.SEND_NOW);
    assertThat(plan.start(second)).isEqualTo(Start.WAIT_IN_CHAIN);
    DeliveryPlan.Next next = plan.finished(first, true);
    assertThat(next.send()).contains(second);
    assertThat(next.skipped()).isEmpty();
  }

  @Test
  void laterCommandOfADevice_staysInTheOutboxWhileTheEarlierOneIsNotOnItsWay() {
    OutboxRow waitingForItsRetry = row(1, 1, DEVICE_A, false);
    OutboxRow later = row(2, 2, DEVICE_A, true);

    assertThat(plan.mayGoNow(List.of(later), undelivered(waitingForItsRetry, later))).isEmpty();
  }

  @Test
  void failureMidChain_skipsTheLaterCommandsOfTheDeviceBackToPending() {
    OutboxRow first = row(1, 1, DEVICE_A, false);
    OutboxRow second = row(2, 2, DEVICE_A, true);
    OutboxRow third = row(3, 3, DEVICE_A, true);
    plan.mayGoNow(List.of(first, second, third), undelivered(first, second, third))
        .forEach(plan::start);

    assertThat(plan.finished(first, true).send()).contains(second);
    DeliveryPlan.Next afterFailure = plan.finished(second, false);

    assertThat(afterFailure.send()).isEmpty();
    assertThat(afterFailure.skipped()).containsExactly(third);
    assertThat(plan.chainsEmpty()).isTrue();
  }

  @Test
  void commandFetchedAfterAFailure_waitsEvenBeforeTheFailureIsRecorded() {
    OutboxRow failed = row(1, 1, DEVICE_A, false);
    OutboxRow later = row(2, 2, DEVICE_A, true);
    plan.start(failed);
    plan.finished(failed, false);

    assertThat(plan.mayGoNow(List.of(later), undelivered(failed, later))).isEmpty();
    plan.recorded(failed);
    assertThat(plan.mayGoNow(List.of(later), undelivered(failed, later))).isEmpty();
  }

  @Test
  void commandFetchedAfterTheEarlierOneWasAcknowledged_goesAtOnce() {
    OutboxRow delivered = row(1, 1, DEVICE_A, false);
    OutboxRow later = row(2, 2, DEVICE_A, true);
    plan.start(delivered);
    plan.finished(delivered, true);

    assertThat(plan.mayGoNow(List.of(later), undelivered(delivered, later))).containsExactly(later);
    assertThat(plan.start(later)).isEqualTo(Start.SEND_NOW);
  }

  @Test
  void commandFetchedWhileTheEarlierOneIsOnTheWire_isChainedBehindIt() {
    OutboxRow onTheWire = row(1, 1, DEVICE_A, false);
    OutboxRow later = row(2, 2, DEVICE_A, true);
    plan.start(onTheWire);

    assertThat(plan.mayGoNow(List.of(later), undelivered(onTheWire, later))).containsExactly(later);
    assertThat(plan.start(later)).isEqualTo(Start.WAIT_IN_CHAIN);
    assertThat(plan.finished(onTheWire, true).send()).contains(later);
  }

  @Test
  void commandLetGoJustBeforeTheEarlierOneFailed_isNotSent() {
    OutboxRow onTheWire = row(1, 1, DEVICE_A, false);
    OutboxRow later = row(2, 2, DEVICE_A, true);
    plan.start(onTheWire);
    assertThat(plan.mayGoNow(List.of(later), undelivered(onTheWire, later))).containsExactly(later);

    plan.finished(onTheWire, false);

    assertThat(plan.start(later)).isEqualTo(Start.NOT_NOW);
    assertThat(plan.inFlightCapacity(0)).as("only the failed row counts").isEqualTo(9);
  }

  @Test
  void commandsOfDifferentDevices_goTogether() {
    OutboxRow ofA = row(1, 1, DEVICE_A, false);
    OutboxRow ofB = row(2, 1, DEVICE_B, false);

    assertThat(plan.mayGoNow(List.of(ofA, ofB), noLookup())).containsExactly(ofA, ofB);
    assertThat(plan.start(ofA)).isEqualTo(Start.SEND_NOW);
    assertThat(plan.start(ofB)).isEqualTo(Start.SEND_NOW);
  }

  @Test
  void rowOnItsWay_isNotSentTwice() {
    OutboxRow row = row(1, 1, DEVICE_A, false);
    plan.start(row);
    plan.finished(row, true);

    assertThat(plan.mayGoNow(List.of(row), noLookup())).as("outcome not recorded").isEmpty();
    plan.recorded(row);
    assertThat(plan.mayGoNow(List.of(row), noLookup())).containsExactly(row);
  }

  @Test
  void rowThatFailedBeforeSending_holdsBackTheLaterCommandsOfItsDevice() {
    OutboxRow unreadable = row(1, 1, DEVICE_A, false);
    OutboxRow later = row(2, 2, DEVICE_A, true);
    plan.failedBeforeSending(unreadable);

    assertThat(plan.mayGoNow(List.of(unreadable), noLookup())).isEmpty();
    assertThat(plan.mayGoNow(List.of(later), undelivered(unreadable, later))).isEmpty();
  }

  // ---- Across a rotation

  @Test
  void commandsCommittedAfterTheRotationBeingWalked_wait() {
    assertThat(DeliveryPlan.highWaterPosition(20, OptionalLong.of(12))).isEqualTo(12);
    assertThat(DeliveryPlan.highWaterPosition(10, OptionalLong.of(12))).isEqualTo(10);
    assertThat(DeliveryPlan.highWaterPosition(20, OptionalLong.empty())).isEqualTo(20);
  }

  @Test
  void deviceWithEarlierCommandsUndelivered_getsTheRotationAsARowBehindThem() {
    assertThat(DeliveryPlan.rotationStep(link(3, 3, 7L), 10))
        .isEqualTo(RotationStep.ROW_BEHIND_EARLIER_COMMANDS);

    OutboxRow earlier = row(40, 7, DEVICE_A, false);
    OutboxRow rotation = row(41, 10, DEVICE_A, true);
    plan.start(earlier);
    assertThat(plan.mayGoNow(List.of(rotation), undelivered(earlier, rotation)))
        .containsExactly(rotation);
    assertThat(plan.start(rotation)).isEqualTo(Start.WAIT_IN_CHAIN);
  }

  @Test
  void rotationRowWrittenAfterALaterCommand_stillGoesFirst() {
    // The later command was enqueued (ID 100) before the walk gave the device its row (ID 101).
    OutboxRow later = row(100, 11, DEVICE_A, true);
    OutboxRow rotation = row(101, 10, DEVICE_A, false);
    Function<List<byte[]>, Map<ByteBuffer, List<Place>>> both = undelivered(later, rotation);

    assertThat(plan.mayGoNow(List.of(later, rotation), both)).containsExactly(rotation);
    plan.start(rotation);
    assertThat(plan.mayGoNow(List.of(later), both)).containsExactly(later);
    assertThat(plan.start(later)).isEqualTo(Start.WAIT_IN_CHAIN);
  }

  @Test
  void deviceLinkedAfterTheRotation_isNotInItsAudience() {
    assertThat(DeliveryPlan.rotationStep(link(11, 3, null), 10)).isEqualTo(RotationStep.NOTHING);
  }

  @Test
  void deviceWithItsRowForTheRotationAlready_isNotSentItAgain() {
    assertThat(DeliveryPlan.rotationStep(link(3, 3, 10L), 10)).isEqualTo(RotationStep.NOTHING);
  }

  @Test
  void deviceWhoseKeyChangedAfterTheRotation_getsItUnderTheKeyKeptForIt() {
    assertThat(DeliveryPlan.rotationStep(link(3, 12, null), 10))
        .isEqualTo(RotationStep.SEND_UNDER_KEPT_KEY);
    assertThat(DeliveryPlan.rotationStep(link(3, 9, null), 10)).isEqualTo(RotationStep.SEND);
  }

  // ---- In-flight budget

  @Test
  void inFlightCapacity_countsRowsOnTheirWayAndTheWalksUnrecordedDevices() {
    plan.start(row(1, 1, DEVICE_A, false));
    plan.start(row(2, 2, DEVICE_A, true));
    plan.start(row(3, 1, DEVICE_B, false));

    assertThat(plan.inFlightCapacity(0)).isEqualTo(7);
    assertThat(plan.inFlightCapacity(4)).isEqualTo(3);
    assertThat(plan.inFlightCapacity(9)).isEqualTo(-2);
  }

  @Test
  void rowStaysInTheBudget_untilItsOutcomeIsRecorded() {
    OutboxRow row = row(1, 1, DEVICE_A, false);
    plan.start(row);
    plan.finished(row, true);
    assertThat(plan.inFlightCapacity(0)).isEqualTo(9);

    plan.recorded(row);
    assertThat(plan.inFlightCapacity(0)).isEqualTo(10);
    assertThat(plan.nothingOnTheirWay()).isTrue();
  }

  @Test
  void fullBudget_isReportedOnceRowsFillIt() {
    for (int id = 1; id <= 10; id++) {
      assertThat(plan.full()).isFalse();
      plan.start(row(id, id, new byte[] {(byte) id}, false));
    }
    assertThat(plan.full()).isTrue();
  }

  @Test
  void batchLimit_isTheCapacityCappedByTheBatchSizeAndATenthOfASecondAtTheRate() {
    C2Config.Delivery defaults = C2Config.Delivery.defaults();
    DeliveryPlan unpaced = new DeliveryPlan(4_000, defaults);
    assertThat(unpaced.batchLimit(3)).isEqualTo(3);
    assertThat(unpaced.batchLimit(4_000)).isEqualTo(defaults.batchSize());
    assertThat(unpaced.walkChunk()).isEqualTo(1_000);

    assertThat(new DeliveryPlan(4_000, defaults.withRatePerSecond(50)).batchLimit(4_000))
        .isEqualTo(5);
    assertThat(new DeliveryPlan(4_000, defaults.withRatePerSecond(5)).batchLimit(4_000))
        .isEqualTo(1);
    assertThat(new DeliveryPlan(100, defaults).walkChunk()).isEqualTo(25);
  }

  // ---- Backoff

  @Test
  void failedRow_isDueAgainAfterTheBackoffOfItsNextAttempt() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    assertThat(plan.retryAt(now, 0)).isEqualTo(now.plusSeconds(1));
    assertThat(plan.retryAt(now, 1)).isEqualTo(now.plusSeconds(2));
    assertThat(plan.retryAt(now, 2)).isEqualTo(now.plusSeconds(4));
    assertThat(plan.retryAt(now, 50)).isEqualTo(now.plusSeconds(60));
  }

  // ---- Same-second de-duplication

  @Test
  void sameBytesForADeviceInOneSecond_areProtectedAgainInTheNextSecond() {
    Instant at = Instant.parse("2026-01-01T00:00:00.250Z");
    byte[] key = new byte[32];
    byte[] message = Commands.protect(Commands.resetTopics(), key, at);
    byte[] again = Commands.protect(Commands.resetTopics(), key, at);
    long second = at.getEpochSecond();

    assertThat(plan.firstOfItsKindThisSecond(DEVICE_A, message, second)).isTrue();
    assertThat(plan.firstOfItsKindThisSecond(DEVICE_A, again, second)).isFalse();
    assertThat(DeliveryPlan.untilNextSecond(at)).isEqualTo(Duration.ofMillis(751));
    byte[] nextSecond = Commands.protect(Commands.resetTopics(), key, at.plusMillis(751));
    assertThat(plan.firstOfItsKindThisSecond(DEVICE_A, nextSecond, second + 1)).isTrue();
  }

  @Test
  void sameBytesForAnotherDevice_orAnotherCommandForTheSameDevice_goAtOnce() {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    byte[] key = new byte[32];
    byte[] reset = Commands.protect(Commands.resetTopics(), key, at);
    byte[] remove = Commands.protect(Commands.removeTopic("t"), key, at);
    long second = at.getEpochSecond();

    assertThat(plan.firstOfItsKindThisSecond(DEVICE_A, reset, second)).isTrue();
    assertThat(plan.firstOfItsKindThisSecond(DEVICE_B, reset, second)).isTrue();
    assertThat(plan.firstOfItsKindThisSecond(DEVICE_A, remove, second)).isTrue();
  }

  @Test
  void sameBytesInALaterSecond_goAtOnce() {
    byte[] message = new byte[40];
    plan.newSecond(100);
    assertThat(plan.firstOfItsKindThisSecond(DEVICE_A, message, 100)).isTrue();

    plan.newSecond(101);
    assertThat(plan.firstOfItsKindThisSecond(DEVICE_A, message, 101)).isTrue();
    assertThat(plan.firstOfItsKindThisSecond(DEVICE_A, message, 101)).isFalse();
  }

  // ---- Helpers

  private static OutboxRow row(long id, long position, byte[] device, boolean behind) {
    return new OutboxRow(id, position, device, 0, new byte[] {9}, null, null, behind, "SetIDKey");
  }

  private static FanoutLink link(long linkedPosition, long keyPosition, Long latestUndelivered) {
    return new FanoutLink(DEVICE_A, linkedPosition, keyPosition, new byte[] {7}, latestUndelivered);
  }

  /** What the outbox holds undelivered for the devices asked about: {@code rows}. */
  private static Function<List<byte[]>, Map<ByteBuffer, List<Place>>> undelivered(
      OutboxRow... rows) {
    return devices -> {
      Map<ByteBuffer, List<Place>> places = new HashMap<>();
      for (OutboxRow row : rows) {
        places
            .computeIfAbsent(ByteBuffer.wrap(row.deviceId()), device -> new ArrayList<>())
            .add(row.place());
      }
      places.keySet().retainAll(devices.stream().map(ByteBuffer::wrap).toList());
      return places;
    };
  }

  /** Fails the test if asked: no row is behind another. */
  private static Function<List<byte[]>, Map<ByteBuffer, List<Place>>> noLookup() {
    return devices -> {
      throw new AssertionError("no earlier command to look up");
    };
  }
}
