package io.e4j.core;

import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * A device that rewrites its state file as fast as it can, forever; {@link FileStoreKillIT} kills
 * it at random instants. Prints "ready" once the file exists.
 */
public final class StoreWriterProcess {
  static final int TOPICS = 2_000;

  private StoreWriterProcess() {}

  public static void main(String[] args) {
    ClientStore store = ClientStore.file(Path.of(args[0]));
    E4Client device =
        store.read().isPresent()
            ? E4Client.load(store)
            : E4Client.builder().name("kill-test").key(Keys.randomKey()).store(store).build();
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < TOPICS; i++) {
      if (!device.hasTopicKey("topic/" + i)) {
        device.setTopicKey("topic/" + i, Keys.randomKey());
      }
    }
    System.out.println("ready");
    System.out.flush();
    while (true) {
      // Each pair of changes takes the count from TOPICS to TOPICS - 1 and back, so any state
      // that was ever complete on disk holds one of those two counts.
      String topic = "topic/" + random.nextInt(TOPICS);
      device.removeTopicKey(topic);
      device.setTopicKey(topic, Keys.randomKey());
    }
  }
}
