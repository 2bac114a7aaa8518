package io.e4j.bench;

import io.e4j.core.E4Client;
import io.e4j.core.Keys;
import java.time.Duration;
import java.util.Optional;
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
 * E4Client.protect and unprotect in both key modes, on the system clock as a device runs. The
 * receiver unprotects the same message over and over, so its replay protection is off and it
 * accepts messages up to a day old (a long run would outlive the default ten minutes); everything
 * else is the default client.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MessageBenchmark {
  private static final String TOPIC = "fleet/vehicle-0042/telemetry";

  @Param({"SYMMETRIC", "PUBLIC_KEY"})
  public E4Client.Mode mode;

  @Param({"64", "1024", "65536"})
  public int payloadSize;

  private E4Client sender;
  private E4Client receiver;
  private byte[] payload;
  private byte[] message;

  @Setup
  public void setUp() {
    byte[] topicKey = Keys.randomKey();
    sender = client("sender").build();
    receiver = client("receiver").replayProtection(false).maxMessageAge(Duration.ofDays(1)).build();
    sender.setTopicKey(TOPIC, topicKey);
    receiver.setTopicKey(TOPIC, topicKey);
    if (mode == E4Client.Mode.PUBLIC_KEY) {
      receiver.addPublicKey(sender.id(), sender.publicKey());
    }
    payload = new byte[payloadSize];
    new Random(42).nextBytes(payload);
    message = sender.protect(TOPIC, payload);
  }

  private E4Client.Builder client(String name) {
    E4Client.Builder builder = E4Client.builder().name(name);
    if (mode == E4Client.Mode.SYMMETRIC) {
      return builder.key(Keys.randomKey());
    }
    return builder
        .signingKey(Keys.newEd25519())
        .c2PublicKey(Keys.curve25519PublicFromPrivate(Keys.newCurve25519()));
  }

  @Benchmark
  public byte[] protect() {
    return sender.protect(TOPIC, payload);
  }

  @Benchmark
  public Optional<byte[]> unprotect() {
    return receiver.unprotect(TOPIC, message);
  }
}
