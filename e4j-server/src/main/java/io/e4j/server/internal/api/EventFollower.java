package io.e4j.server.internal.api;

import io.e4j.api.v1.Event;
import io.e4j.server.C2Event;
import io.e4j.server.internal.journal.Journal;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the event log for a stream: sends every event after a sequence number, oldest first, then
 * each new one as it is committed, as fast as the client takes them. Runs on the calling thread
 * until the client goes or the server stops.
 */
final class EventFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventFollower.class);
  private static final int PAGE = 500;

  /** Events committed by other C2 nodes are seen within this time. */
  private static final Duration POLL = Duration.ofSeconds(1);

  private final Journal journal;
  private volatile boolean closed;

  EventFollower(Journal journal) {
    this.journal = journal;
  }

  /** A client's end of a stream: whether it can take another event now, and a way to wait. */
  interface Sink {
    boolean gone();

    /** Waits until the client can take an event, or is gone. */
    void awaitReady() throws InterruptedException;

    void send(C2Event event);
  }

  /** Streams to a gRPC client, with its flow control. */
  void follow(long after, ServerCallStreamObserver<Event> stream) {
    ReentrantLock lock = new ReentrantLock();
    Condition ready = lock.newCondition();
    AtomicBoolean cancelled = new AtomicBoolean();
    Runnable signal =
        () -> {
          lock.lock();
          try {
            ready.signalAll();
          } finally {
            lock.unlock();
          }
        };
    stream.setOnReadyHandler(signal);
    stream.setOnCancelHandler(
        () -> {
          cancelled.set(true);
          signal.run();
        });
    Sink sink =
        new Sink() {
          @Override
          public boolean gone() {
            return cancelled.get() || stream.isCancelled();
          }

          @Override
          public void awaitReady() throws InterruptedException {
            lock.lock();
            try {
              while (!stream.isReady() && !gone() && !closed) {
                ready.await(POLL.toMillis(), TimeUnit.MILLISECONDS);
              }
            } finally {
              lock.unlock();
            }
          }

          @Override
          public void send(C2Event event) {
            stream.onNext(Protos.event(event));
          }
        };
    follow(after, sink);
    if (!sink.gone()) {
      stream.onError(
          Status.UNAVAILABLE
              .withDescription(
                  (closed ? "C2 is stopping" : "the event log cannot be read")
                      + "; resume from the last sequence number received")
              .asRuntimeException());
    }
  }

  /** Sends events to {@code sink} until it is gone, the follower is closed or the log fails. */
  void follow(long after, Sink sink) {
    long cursor = after;
    try {
      while (!closed && !sink.gone()) {
        List<C2Event> page = journal.events(cursor, PAGE);
        for (C2Event event : page) {
          sink.awaitReady();
          if (closed || sink.gone()) {
            break;
          }
          sink.send(event);
          cursor = event.sequence();
        }
        if (page.size() < PAGE) {
          journal.awaitCommitted(POLL);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("event stream stopped after sequence {}: {}", cursor, e.getMessage());
    }
  }

  /** Ends every stream: their clients resume from the last sequence number they received. */
  @Override
  public void close() {
    closed = true;
    journal.committed();
  }
}
