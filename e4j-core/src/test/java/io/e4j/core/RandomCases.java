package io.e4j.core;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.TestInfo;

/**
 * Runs a check over random cases drawn from one seed, and prints the seed so a failure can be
 * replayed: {@code mvn test -pl e4j-core -Dtest=E4ClientPropertiesTest -De4j.seed=SEED}. Without
 * {@code e4j.seed} every run draws a new seed, so runs add up to more cases over time.
 */
final class RandomCases {
  static final String SEED_PROPERTY = "e4j.seed";

  private RandomCases() {}

  static void check(TestInfo test, int cases, Consumer<SplittableRandom> check) {
    String name =
        test.getTestClass().orElseThrow().getSimpleName()
            + "."
            + test.getTestMethod().orElseThrow().getName();
    long seed = seed();
    System.out.println(name + ": seed " + seed + ", " + cases + " cases");
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 1; i <= cases; i++) {
      try {
        check.accept(random);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            name
                + ": case "
                + i
                + " of "
                + cases
                + " failed; replay with -D"
                + SEED_PROPERTY
                + "="
                + seed,
            e);
      }
    }
  }

  /** A length in [min, max]; one draw in five is an end of the range, where bugs gather. */
  static int size(SplittableRandom random, int min, int max) {
    int pick = random.nextInt(10);
    if (pick == 0) {
      return min;
    }
    if (pick == 1) {
      return max;
    }
    return random.nextInt(min, max + 1);
  }

  static byte[] bytes(SplittableRandom random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  private static long seed() {
    String given = System.getProperty(SEED_PROPERTY);
    if (given != null && !given.isBlank()) {
      return Long.parseLong(given.trim());
    }
    return ThreadLocalRandom.current().nextLong();
  }
}
