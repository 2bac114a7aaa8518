package io.e4j.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.e4j.core.ClientStore;
import io.e4j.core.Commands;
import io.e4j.core.E4Client;
import io.e4j.core.KeyReport;
import io.e4j.core.KeyReports;
import io.e4j.core.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** E4 over a real, in-process KRaft Kafka cluster. */
class E4KafkaIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static KafkaBroker cluster;

  @TempDir Path directory;

  @BeforeAll
  static void startKafka() throws Exception {
    cluster = KafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    cluster.close();
  }

  private Path device(String name, String topic, byte[] topicKey) {
    Path state = directory.resolve(name + ".e4");
    try (E4Client device =
        E4Client.builder().name(name).key(clientKey(name)).store(ClientStore.file(state)).build()) {
      if (topicKey != null) {
        device.setTopicKey(topic, topicKey);
      }
    }
    return state;
  }

  private static byte[] clientKey(String name) {
    return io.e4j.core.internal.crypto.Hashing.sha3(("kafka " + name).getBytes(UTF_8));
  }

  private Map<String, Object> producerConfig(Path state) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, E4Serializer.class);
    config.put(E4KafkaConfig.INNER_SERIALIZER, StringSerializer.class.getName());
    config.put(E4KafkaConfig.STATE_FILE, state.toString());
    return config;
  }

  private Map<String, Object> consumerConfig(String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return config;
  }

  @Test
  void protectedRecordsRoundTrip_andTheBrokerHoldsCiphertext() throws Exception {
    byte[] topicKey = Keys.randomKey();
    Path producerState = device("producer", "meter-readings", topicKey);
    Path consumerState = device("consumer", "meter-readings", topicKey);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerConfig(producerState))) {
      producer.send(new ProducerRecord<>("meter-readings", "meter-0042", "21.5 kWh")).get();
    }

    Map<String, Object> e4Consumer = consumerConfig("readers");
    e4Consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, E4Deserializer.class);
    e4Consumer.put(E4KafkaConfig.INNER_DESERIALIZER, StringDeserializer.class.getName());
    e4Consumer.put(E4KafkaConfig.STATE_FILE, consumerState.toString());
    Map<String, Object> rawConsumer = consumerConfig("raw");
    rawConsumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

    assertThat(firstValue(new KafkaConsumer<String, String>(e4Consumer), "meter-readings"))
        .isEqualTo("21.5 kWh");
    byte[] onTheBroker =
        firstValue(new KafkaConsumer<String, byte[]>(rawConsumer), "meter-readings");
    assertThat(onTheBroker).hasSize(24 + "21.5 kWh".length());
    assertThat(new String(onTheBroker, UTF_8)).doesNotContain("21.5");
  }

  @Test
  void aCommandOnTheControlTopic_addsAKey() throws Exception {
    byte[] topicKey = Keys.randomKey();
    Path producerState = device("sender", "plant-events", topicKey);
    Path receiverState = device("receiver", "plant-events", null);
    byte[] receiverId = Keys.idFromName("receiver");
    Map<String, Object> c2 = new HashMap<>();
    c2.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    c2.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    c2.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<String, byte[]> commands = new KafkaProducer<>(c2);
        KafkaProducer<String, String> producer =
            new KafkaProducer<>(producerConfig(producerState))) {
      commands
          .send(
              new ProducerRecord<>(
                  E4KafkaConfig.DEFAULT_CONTROL_TOPIC,
                  HexFormat.of().formatHex(receiverId),
                  Commands.protect(
                      Commands.setTopicKey(topicKey, "plant-events"),
                      clientKey("receiver"),
                      Instant.now())))
          .get();
      producer.send(new ProducerRecord<>("plant-events", "line-1", "pressure ok")).get();
    }

    Map<String, Object> config = consumerConfig("plant-readers");
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, E4Deserializer.class);
    config.put(E4KafkaConfig.INNER_DESERIALIZER, StringDeserializer.class.getName());
    config.put(E4KafkaConfig.STATE_FILE, receiverState.toString());
    config.put(E4KafkaConfig.CONTROL_CONSUME, "true");

    assertThat(firstValue(new KafkaConsumer<String, String>(config), "plant-events"))
        .isEqualTo("pressure ok");
    try (E4Client reloaded = E4Client.load(ClientStore.file(receiverState))) {
      assertThat(reloaded.hasTopicKey("plant-events")).isTrue();
    }
  }

  @Test
  void controlConsumer_sendsAKeyReportAfterApplyingCommands() throws Exception {
    byte[] clientKey = clientKey("reporter");
    byte[] receiverId = Keys.idFromName("reporter");
    String hexId = HexFormat.of().formatHex(receiverId);
    byte[] first = Keys.randomKey();
    byte[] second = Keys.randomKey();
    Map<String, Object> byteProducer = new HashMap<>();
    byteProducer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    byteProducer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    byteProducer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    Map<String, Object> control = new HashMap<>();
    control.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (E4Client device = E4Client.builder().name("reporter").key(clientKey).build();
        KafkaProducer<String, byte[]> c2 = new KafkaProducer<>(byteProducer);
        KafkaProducer<String, byte[]> reports = new KafkaProducer<>(byteProducer);
        E4ControlConsumer consumer =
            E4ControlConsumer.builder(device, control).reports(reports).build()) {
      for (byte[] key : new byte[][] {first, second}) {
        c2.send(
                new ProducerRecord<>(
                    E4KafkaConfig.DEFAULT_CONTROL_TOPIC,
                    hexId,
                    Commands.protect(
                        Commands.setTopicKey(key, "plant-events"), clientKey, Instant.now())))
            .get();
      }
      Instant deadline = Instant.now().plus(WAIT);
      while (!device.hasTopicKey("plant-events") && Instant.now().isBefore(deadline)) {
        consumer.pollOnce(Duration.ofMillis(500));
      }
      reports.flush();
    }

    Map<String, Object> reader = consumerConfig("report-reader");
    reader.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<String, byte[]>> received =
        records(new KafkaConsumer<String, byte[]>(reader), E4ControlConsumer.DEFAULT_REPORT_TOPIC);
    ConsumerRecord<String, byte[]> last = received.get(received.size() - 1);
    KeyReport report = KeyReports.openSymmetric(last.value(), clientKey);
    byte[] topicHash = KeyReports.topicHash("plant-events");

    assertThat(last.key()).isEqualTo(hexId);
    assertThat(report.deviceId()).isEqualTo(receiverId);
    assertThat(report.topicKeyFingerprint(topicHash))
        .hasValue(KeyReports.topicKeyFingerprint(topicHash, second));
    assertThat(received).hasSizeLessThanOrEqualTo(3);
  }

  /** The records of {@code topic}: polled until one arrives, then for one second more. */
  private static <V> List<ConsumerRecord<String, V>> records(
      KafkaConsumer<String, V> consumer, String topic) {
    List<ConsumerRecord<String, V>> records = new java.util.ArrayList<>();
    try (consumer) {
      consumer.subscribe(List.of(topic));
      Instant deadline = Instant.now().plus(WAIT);
      while (records.isEmpty() && Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
      consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
    }
    if (records.isEmpty()) {
      throw new AssertionError("no record on " + topic + " within " + WAIT);
    }
    return records;
  }

  /**
   * The first record's value. A record that cannot be read yet (its key is still on its way through
   * the control topic) is retried, as an application would after a deserialization error.
   */
  private static <V> V firstValue(KafkaConsumer<String, V> consumer, String topic) {
    try (consumer) {
      consumer.subscribe(List.of(topic));
      Instant deadline = Instant.now().plus(WAIT);
      while (Instant.now().isBefore(deadline)) {
        try {
          for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(500))) {
            return record.value();
          }
        } catch (RecordDeserializationException notYet) {
          consumer.seek(notYet.topicPartition(), notYet.offset());
        }
      }
      throw new AssertionError("no record on " + topic + " within " + WAIT);
    }
  }
}
