package io.e4j.bench;

import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Symmetric-key protect when every message carries a new timestamp, as for a device publishing less
 * than once a second: a topic key's S2V state for the last timestamp, which {@link
 * MessageBenchmark}'s steady traffic reuses, never applies here. The worst case next to Tink.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SparseTrafficBenchmark {
  private static final String TOPIC = "fleet/vehicle-0042/telemetry";

  @Param({"64", "1024"})
  public int payloadSize;

  private E4Client sender;
  private byte[] payload;

  @Setup
  public void setUp() {
    sender =
        E4Client.builder().name("sender").key(Keys.randomKey()).clock(new SecondPerRead()).build();
    sender.setTopicKey(TOPIC, Keys.randomKey());
    payload = new byte[payloadSize];
    new Random(42).nextBytes(payload);
  }

  @Benchmark
  public byte[] protectNewTimestamp() {
    return sender.protect(TOPIC, payload);
  }

  /** A clock one second further on at every reading; one benchmark thread reads it. */
  private static final class SecondPerRead extends Clock {
    private long millis = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @Override
    public long millis() {
      millis += 1000;
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("only UTC");
    }
  }
}
