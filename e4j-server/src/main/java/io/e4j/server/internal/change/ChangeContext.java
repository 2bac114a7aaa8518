package io.e4j.server.internal.change;

import io.e4j.server.internal.journal.Caller;
import io.e4j.server.internal.journal.Entry;
import io.e4j.server.internal.outbox.OutboxWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What a change's work sees of its transaction: the handle, the time, and the outbox, through which
 * it enqueues commands; the events it reports go to the event log with the change.
 */
public final class ChangeContext {
  private final Handle handle;
  private final Caller caller;
  private final Instant now;
  private final Outbox outbox;
  private final long position;
  private final List<Entry> events = new ArrayList<>();
  private String auditDetail;

  ChangeContext(Handle handle, Caller caller, Instant now, OutboxWriter outbox, long position) {
    this.handle = handle;
    this.caller = caller;
    this.now = now;
    this.outbox = outbox == null ? null : new Outbox(outbox, handle);
    this.position = position;
  }

  public Handle handle() {
    return handle;
  }

  public Caller caller() {
    return caller;
  }

  /** The time of the change. */
  public Instant now() {
    return now;
  }

  /** Reports an event, appended to the event log when the change commits. */
  public void event(Entry entry) {
    events.add(entry);
  }

  /** A detail for the change's audit record. */
  public void auditDetail(String detail) {
    this.auditDetail = detail;
  }

  /**
   * The outbox position the change took with the writer lock: commands enqueued later in the change
   * come after it, and a device linked by the change is linked at it.
   */
  public long position() {
    outbox();
    return position;
  }

  /** The outbox, in this transaction; only for a change that {@link Change#sendsCommands}. */
  public Outbox outbox() {
    if (outbox == null) {
      throw new IllegalStateException(
          "a change that enqueues commands must say so (Change.sendingCommands): it then takes"
              + " the outbox's writer lock before anything else");
    }
    return outbox;
  }

  List<Entry> events() {
    return events;
  }

  String auditDetail() {
    return auditDetail;
  }
}
