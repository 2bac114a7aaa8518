package io.e4j.server.node;

import io.e4j.server.C2Service;
import io.e4j.server.internal.outbox.DeliveryMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** C2's own meters, beside the API's: deliveries counted as they happen, sizes read at a scrape. */
final class Metrics {
  private Metrics() {}

  static DeliveryMeter deliveryMeter(MeterRegistry registry) {
    Counter delivered =
        Counter.builder("e4j.commands")
            .tag("outcome", "delivered")
            .description("commands the transport acknowledged")
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
