package io.e4j.cli;

import io.e4j.api.v1.Event;
import io.e4j.api.v1.ListEventsRequest;
import io.e4j.api.v1.ListEventsResponse;
import io.e4j.api.v1.StreamEventsRequest;
import io.e4j.cli.internal.C2Connection;
import io.e4j.cli.internal.ExitCodes;
import io.e4j.cli.internal.Failure;
import io.e4j.cli.internal.Json;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code e4 events}: what changed in C2, in commit order. */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = {
      "Print C2's events, or follow them as they happen.",
      "",
      "Events (devices and topics created, links, rotations, deliveries...) come after a"
          + " sequence number, oldest first, one a line: sequence, time, type, actor, then what"
          + " it concerns. -o json prints one JSON object a line.",
      "",
      "With --follow, keep printing new events as they happen; when the connection drops,"
          + " reconnect and resume after the last event printed, so that none is lost or"
          + " repeated. Stop with Ctrl-C."
    },
    footer = {
      "",
      "Examples:",
      "  e4 events",
      "  e4 events --from 1200 -o json",
      "  e4 events --follow"
    })
final class EventsCommand implements Callable<Integer> {
  private static final int PAGE = 1000;
  // Events C2 may send before the terminal has printed the previous ones.
  private static final int WINDOW = 256;
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration LAST_RETRY = Duration.ofSeconds(30);
  private static final Set<Status.Code> FINAL =
      EnumSet.of(
          Status.Code.UNAUTHENTICATED,
          Status.Code.PERMISSION_DENIED,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.UNIMPLEMENTED);

  @Mixin private OperatorOptions api;

  @Option(names = "--follow", description = "keep printing new events; reconnect when cut off")
  private boolean follow;

  @Option(
      names = "--from",
      paramLabel = "SEQ",
      defaultValue = "0",
      description = "start after this sequence number (default: from the first event)")
  private long after;

  @Override
  public Integer call() {
    try (C2Connection c2 = api.connect()) {
      long last = catchUp(c2, after);
      if (follow) {
        follow(c2, last);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExitCodes.OK;
  }

  /** Prints every event after {@code from}, page by page; returns the last sequence printed. */
  private long catchUp(C2Connection c2, long from) {
    long last = from;
    while (true) {
      ListEventsResponse page =
          c2.c2().listEvents(ListEventsRequest.newBuilder().setAfter(last).setLimit(PAGE).build());
      for (Event event : page.getEventsList()) {
        last = Math.max(last, print(event, last));
      }
      if (page.getEventsCount() == 0 || last >= page.getLastSequence()) {
        return last;
      }
    }
  }

  private void follow(C2Connection c2, long from) throws InterruptedException {
    long last = from;
    Duration retry = FIRST_RETRY;
    while (true) {
      Subscription subscription = new Subscription();
      c2.streaming()
          .streamEvents(StreamEventsRequest.newBuilder().setAfter(last).build(), subscription);
      Status ended;
      try {
        while (true) {
          Object item = subscription.items.take();
          if (item instanceof Event event) {
            last = print(event, last);
            retry = FIRST_RETRY;
            subscription.call.request(1);
          } else {
            ended = (Status) item;
            break;
          }
        }
      } catch (InterruptedException e) {
        subscription.call.cancel("interrupted", null);
        throw e;
      }
      if (FINAL.contains(ended.getCode()) || Failure.isCertificateProblem(ended)) {
        throw ended.asRuntimeException();
      }
      api.note(
          "e4: the event stream stopped ("
              + (ended.isOk() ? "closed by the server" : Failure.ofStatus(ended).message())
              + "); reconnecting in "
              + retry.toSeconds()
              + " s, after sequence "
              + last);
      Thread.sleep(retry.toMillis());
      retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
    }
  }

  /** Prints {@code event} unless it was printed already; returns the last sequence printed. */
  private long print(Event event, long last) {
    if (event.getSequence() <= last) {
      return last;
    }
    api.out().println(api.json() ? Json.line(event) : line(event));
    api.out().flush();
    return event.getSequence();
  }

  static String line(Event event) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                "%-8d %-20s %-18s %s",
                event.getSequence(),
                Text.time(event.getTime()),
                event.getType(),
                event.getActor().isEmpty() ? "c2" : event.getActor()));
    if (!event.getDeviceName().isEmpty() || !event.getDeviceId().isEmpty()) {
      line.append("  device=")
          .append(
              event.getDeviceName().isEmpty()
                  ? "id:" + event.getDeviceId()
                  : event.getDeviceName());
    }
    append(line, "topic", event.getTopic());
    append(line, "command", event.getCommand());
    if (event.getDeviceCount() > 0) {
      line.append("  devices=").append(event.getDeviceCount());
    }
    append(line, "detail", event.getDetail());
    return line.toString();
  }

  private static void append(StringBuilder line, String key, String value) {
    if (!value.isEmpty()) {
      line.append("  ").append(key).append('=').append(value);
    }
  }

  /**
   * One StreamEvents call: its events and then its end (a {@link Status}) in one queue, read by the
   * printing thread, which asks for one more event each time it printed one.
   */
  private static final class Subscription
      implements ClientResponseObserver<StreamEventsRequest, Event> {
    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private volatile ClientCallStreamObserver<StreamEventsRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamEventsRequest> requestStream) {
      call = requestStream;
      requestStream.disableAutoRequestWithInitial(WINDOW);
    }

    @Override
    public void onNext(Event event) {
      items.add(event);
    }

    @Override
    public void onError(Throwable error) {
      items.add(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
      items.add(Status.OK);
    }
  }
}
