package io.e4j.server.node;

import io.e4j.server.C2Service;
import io.e4j.server.internal.convergence.ReportIntake;
import io.e4j.server.internal.outbox.DeliveryMeter;
import io.e4j.server.internal.store.PresenceStore.TopicCount;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.function.Consumer;

/** C2's own meters, beside the API's: deliveries counted as they happen, sizes read at a scrape. */
final class Metrics {
  private Metrics() {}

  static DeliveryMeter deliveryMeter(MeterRegistry registry) {
    Counter delivered =
        Counter.builder("e4j.commands")
            .tag("outcome", "sent")
            .description("commands the transport acknowledged (the broker has them)")
            .register(registry);
    Counter failed =
        Counter.builder("e4j.commands")
            .tag("outcome", "failed")
            .description("sends that failed or were not acknowledged in time (then retried)")
            .register(registry);
    return new DeliveryMeter() {
      @Override
      public void delivered(int commands) {
        delivered.increment(commands);
      }

      @Override
      public void failed(int commands) {
        failed.increment(commands);
      }
    };
  }

  /**
   * Per topic, the linked devices and those that reported holding its current key, as last counted
   * (every half minute); and the key reports taken, refused and dropped.
   */
  static Consumer<List<TopicCount>> convergenceGauges(
      MeterRegistry registry, ReportIntake reports) {
    MultiGauge linked =
        MultiGauge.builder("e4j.topic.devices.linked")
            .description("devices linked to the topic")
            .register(registry);
    MultiGauge current =
        MultiGauge.builder("e4j.topic.devices.current")
            .description("linked devices that reported holding the topic's current key")
            .register(registry);
    FunctionCounter.builder("e4j.reports", reports, ReportIntake::acceptedCount)
        .tag("outcome", "accepted")
        .description("key reports from devices")
        .register(registry);
    FunctionCounter.builder("e4j.reports", reports, ReportIntake::refusedCount)
        .tag("outcome", "refused")
        .description("key reports refused: forged, replayed, stale, reflected or unknown device")
        .register(registry);
    FunctionCounter.builder("e4j.reports", reports, ReportIntake::droppedCount)
        .tag("outcome", "dropped")
        .description("key reports dropped because they came faster than C2 recorded them")
        .register(registry);
    return counts -> {
      linked.register(
          counts.stream()
              .map(count -> MultiGauge.Row.of(Tags.of("topic", count.topic()), count.linked()))
              .toList(),
          true);
      current.register(
          counts.stream()
              .map(
                  count -> MultiGauge.Row.of(Tags.of("topic", count.topic()), count.onCurrentKey()))
              .toList(),
          true);
    };
  }

  /** Gauges read from the store at each scrape. */
  static void registerGauges(MeterRegistry registry, C2Service operations) {
    Gauge.builder("e4j.devices", operations, C2Service::deviceCount)
        .description("devices C2 holds")
        .register(registry);
    Gauge.builder("e4j.topics", operations, C2Service::topicCount)
        .description("topics C2 holds")
        .register(registry);
    Gauge.builder("e4j.outbox.undelivered", operations, C2Service::undeliveredCount)
        .description(
            "commands waiting for delivery, counting each device a rotation has yet to reach")
        .register(registry);
  }
}
