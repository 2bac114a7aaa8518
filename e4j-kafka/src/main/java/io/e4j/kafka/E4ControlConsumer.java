package io.e4j.kafka;

import io.e4j.core.E4Client;
import io.e4j.core.E4Exception;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Applies the C2 commands addressed to one device, read from the Kafka control topic.
 *
 * <p>The mapping (ours; Teserakt's Kafka support had none that worked): every command travels on
 * one control topic, {@code e4.control} by default, as a record whose key is the device ID in
 * lower-case hex (the same 32 characters as in its MQTT control topic {@code e4/<id>}) and whose
 * value is the protected command, exactly the bytes an MQTT device receives. Keying by device keeps
 * each device's commands in order in one partition. Each device reads the whole topic in a consumer
 * group of its own and skips the records of other devices; offsets are committed only after the
 * commands they cover are applied and saved.
 *
 * <p>Key reports (an e4j extension, docs/key-reports.md), when given a producer ({@link
 * Builder#reports}): after the first poll, and after each poll that applied commands, it sends
 * {@link E4Client#keyReport()} to {@value #DEFAULT_REPORT_TOPIC}, keyed by the device ID in
 * lower-case hex, so that C2 learns which keys the device holds. One report per poll, however many
 * commands it applied.
 */
public final class E4ControlConsumer implements AutoCloseable {
  /** Where key reports go unless {@link Builder#reportTopic} says otherwise. */
  public static final String DEFAULT_REPORT_TOPIC = "e4.reports";

  private static final Duration POLL = Duration.ofMillis(500);

  /** What happened to the commands read. Runs on the consumer's thread. */
  public interface Listener {
    default void applied() {}

    default void rejected(E4Exception failure) {}

    /**
     * A key report could not be made (its sequence number not saved) or sent; the next poll that
     * applies commands sends another. May run on the producer's thread.
     */
    default void reportFailed(Exception failure) {}
  }

  private final E4Client device;
  private final String deviceHex;
  private final byte[] deviceKey;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Listener listener;
  private final Producer<String, byte[]> reports;
  private final String reportTopic;
  private boolean reportedOnce;
  private Thread thread;
  private volatile boolean running;

  /**
   * @param consumerConfig the Kafka consumer settings ({@code bootstrap.servers} at least); the
   *     group defaults to {@code e4-control-<device id>}
   */
  public E4ControlConsumer(E4Client device, Map<String, ?> consumerConfig, String controlTopic) {
    this(device, consumerConfig, controlTopic, new Listener() {});
  }

  public E4ControlConsumer(
      E4Client device, Map<String, ?> consumerConfig, String controlTopic, Listener listener) {
    this(device, consumerConfig, controlTopic, listener, null, DEFAULT_REPORT_TOPIC);
  }

  /**
   * Settings beyond the device and the consumer's: the control topic, a listener, a producer for
   * key reports.
   *
   * @param consumerConfig the Kafka consumer settings ({@code bootstrap.servers} at least)
   */
  public static Builder builder(E4Client device, Map<String, ?> consumerConfig) {
    return new Builder(device, consumerConfig);
  }

  private E4ControlConsumer(
      E4Client device,
      Map<String, ?> consumerConfig,
      String controlTopic,
      Listener listener,
      Producer<String, byte[]> reports,
      String reportTopic) {
    this.device = device;
    this.listener = listener;
    this.reports = reports;
    this.reportTopic = reportTopic;
    this.deviceHex = HexFormat.of().formatHex(device.id());
    this.deviceKey = deviceHex.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "e4-control-" + deviceHex);
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.keySet().removeIf(key -> key.startsWith("e4."));
    this.consumer = new KafkaConsumer<>(config);
    consumer.subscribe(List.of(controlTopic));
  }

  /** Polls and applies on a thread of its own until {@link #close()}. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    running = true;
    thread = new Thread(this::run, "e4-control-" + HexFormat.of().formatHex(device.id()));
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        pollOnce(POLL);
      }
    } catch (WakeupException closing) {
      // close() asked the poll to stop.
    } finally {
      consumer.close();
    }
  }

  /**
   * One poll: applies this device's commands among the records that arrive within {@code timeout},
   * then commits. For callers that poll on their own thread instead of {@link #start()}.
   *
   * @return how many of this device's commands were applied
   */
  public int pollOnce(Duration timeout) {
    int applied = 0;
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      if (record.value() == null || !Arrays.equals(record.key(), deviceKey)) {
        continue;
      }
      try {
        device.unprotect(device.controlTopic(), record.value());
        applied++;
        listener.applied();
      } catch (E4Exception e) {
        listener.rejected(e);
      }
    }
    consumer.commitSync();
    if (applied > 0 || !reportedOnce) {
      sendReport();
    }
    return applied;
  }

  /** Sends a key report, when a producer was given; failures go to the listener. */
  private void sendReport() {
    if (reports == null) {
      return;
    }
    reportedOnce = true;
    byte[] report;
    try {
      report = device.keyReport();
    } catch (E4Exception e) {
      listener.reportFailed(e);
      return;
    }
    reports.send(
        new ProducerRecord<>(reportTopic, deviceHex, report),
        (metadata, failure) -> {
          if (failure != null) {
            listener.reportFailed(failure);
          }
        });
  }

  @Override
  public synchronized void close() {
    if (thread == null) {
      consumer.close();
      return;
    }
    running = false;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@link E4ControlConsumer}'s settings; only the device and the consumer's are required. */
  public static final class Builder {
    private final E4Client device;
    private final Map<String, ?> consumerConfig;
    private String controlTopic = E4KafkaConfig.DEFAULT_CONTROL_TOPIC;
    private Listener listener = new Listener() {};
    private Producer<String, byte[]> reports;
    private String reportTopic = DEFAULT_REPORT_TOPIC;

    private Builder(E4Client device, Map<String, ?> consumerConfig) {
      if (device == null || consumerConfig == null) {
        throw new IllegalArgumentException("a control consumer needs a device and a configuration");
      }
      this.device = device;
      this.consumerConfig = consumerConfig;
    }

    /** Where C2's commands travel ({@code e4.control} by default). */
    public Builder controlTopic(String controlTopic) {
      this.controlTopic = controlTopic;
      return this;
    }

    public Builder listener(Listener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Sends key reports with {@code producer} (not closed by the consumer; share one between
     * devices). Without it, no report is sent.
     */
    public Builder reports(Producer<String, byte[]> producer) {
      this.reports = producer;
      return this;
    }

    /** Where key reports go ({@code e4.reports} by default). */
    public Builder reportTopic(String reportTopic) {
      this.reportTopic = reportTopic;
      return this;
    }

    public E4ControlConsumer build() {
      return new E4ControlConsumer(
          device, consumerConfig, controlTopic, listener, reports, reportTopic);
    }
  }
}
