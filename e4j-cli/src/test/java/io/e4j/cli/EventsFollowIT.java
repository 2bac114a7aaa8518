package io.e4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code e4 events --follow} across a restart of C2: it reconnects and resumes. */
class EventsFollowIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  private C2Fixture c2;

  @BeforeEach
  void start() throws Exception {
    c2 = C2Fixture.start(directory);
    assertThat(c2.loginAsAdmin().exitCode()).isZero();
  }

  @AfterEach
  void stop() {
    c2.close();
  }

  @Test
  void follow_reconnectsAfterARestart_andPrintsEveryEventOnce() throws Exception {
    assertThat(c2.e4("topics", "create", "before/restart").exitCode()).isZero();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = E4Command.commandLine(c2.environment());
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    AtomicInteger exitCode = new AtomicInteger(-1);
    Thread follower =
        new Thread(() -> exitCode.set(command.execute("events", "--follow", "-o", "json")));
    follower.start();
    try {
      await().atMost(WAIT).until(() -> out.toString().contains("before/restart"));
      assertThat(c2.e4("topics", "create", "while/following").exitCode()).isZero();
      await().atMost(WAIT).until(() -> out.toString().contains("while/following"));

      c2.restartServer();
      assertThat(c2.e4("topics", "create", "after/restart").exitCode()).isZero();
      await().atMost(WAIT).until(() -> out.toString().contains("after/restart"));
    } finally {
      follower.interrupt();
      follower.join(Duration.ofSeconds(10).toMillis());
    }
    assertThat(follower.isAlive()).isFalse();
    assertThat(exitCode).hasValue(0);
    assertThat(err.toString()).contains("e4: the event stream stopped (").contains("reconnecting");

    List<JsonNode> events = new ArrayList<>();
    for (String line : out.toString().lines().toList()) {
      events.add(JSON.readTree(line));
    }
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).get("sequence").asLong())
          .as("nothing lost, nothing repeated")
          .isEqualTo(events.get(i - 1).get("sequence").asLong() + 1);
    }
    assertThat(events.get(0).get("sequence").asLong()).isEqualTo(1);
    assertThat(events)
        .filteredOn(event -> event.get("type").asText().equals("TOPIC_CREATED"))
        .extracting(event -> event.get("topic").asText())
        .containsExactly("before/restart", "while/following", "after/restart");
  }
}
