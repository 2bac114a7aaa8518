package io.e4j.core.internal.protocol;

import java.util.Arrays;

/**
 * What a device remembers of the commands it applied, so that none applies twice, across restarts
 * too: the timestamp of the newest command applied, and the fingerprints (AES-SIV tags) of the
 * commands applied in that second. It is saved with the rest of the state.
 *
 * <p>E4 timestamps are whole seconds, and C2 sends many commands in one second (a resync: {@code
 * ResetTopics} then every {@code SetTopicKey}). A command older than the newest second is refused
 * by anti-rollback; one of the newest second is refused when its tag is among those applied in that
 * second. A tag identifies a command: AES-SIV is deterministic, so the same command under the same
 * key in the same second has the same tag, and two different ones collide with probability 2^-128.
 *
 * <p>Bounded to {@link #MAX_FINGERPRINTS} tags (1 MiB saved). Once full, every further command of
 * that second is refused as unprovable, which never applies a command twice; C2's next command in a
 * later second starts a new set. The tags can also be unknown: a state saved by an e4j that did not
 * keep them (state format 1) remembers only the newest second, so commands of exactly that second
 * are refused the same way.
 *
 * <p>Immutable. Tags are held as pairs of longs in one array, copied on each change (a command is
 * saved to disk anyway, which costs far more than the copy).
 */
public final class AppliedCommands {
  /** How many tags one second may hold: a resync of 65,535 topics fits. */
  public static final int MAX_FINGERPRINTS = 65_536;

  private static final AppliedCommands NONE = new AppliedCommands(0, new long[0], true);

  /** How a command stands against what was applied. */
  public enum Verdict {
    /** Newer than the newest second, or of that second and not applied: apply it. */
    NEW,
    /** Older than the newest command applied. */
    OLDER,
    /** Of the newest second, and applied already. */
    APPLIED,
    /** Of the newest second, whose tags are unknown or full: it cannot be ruled out. */
    UNPROVABLE
  }

  private final long newestTime;
  private final long[] tags;
  private final boolean tagsKnown;

  private AppliedCommands(long newestTime, long[] tags, boolean tagsKnown) {
    this.newestTime = newestTime;
    this.tags = tags;
    this.tagsKnown = tagsKnown;
  }

  /** A device that never applied a command. */
  public static AppliedCommands none() {
    return NONE;
  }

  /**
   * As saved: the newest second, the tags of the commands applied in it, and whether those are all
   * of them.
   */
  public static AppliedCommands of(long newestTime, Id16[] fingerprints, boolean allKnown) {
    if (fingerprints.length > MAX_FINGERPRINTS) {
      throw new ProtocolException(
          Refusal.INVALID_ARGUMENT,
          fingerprints.length + " command fingerprints; at most " + MAX_FINGERPRINTS);
    }
    long[] tags = new long[fingerprints.length * 2];
    for (int i = 0; i < fingerprints.length; i++) {
      tags[2 * i] = fingerprints[i].high();
      tags[2 * i + 1] = fingerprints[i].low();
    }
    return new AppliedCommands(newestTime, tags, allKnown);
  }

  /**
   * Only the newest second is known (a state saved before tags were kept): commands of that second
   * are refused, since none can be told apart from one already applied.
   */
  public static AppliedCommands withoutFingerprints(long newestTime) {
    return newestTime == 0 ? NONE : new AppliedCommands(newestTime, new long[0], false);
  }

  /** The timestamp of the newest command applied (epoch seconds), 0 when none. */
  public long newestTime() {
    return newestTime;
  }

  /** Whether the tags of the newest second are all known (false: commands of it are refused). */
  public boolean fingerprintsKnown() {
    return tagsKnown;
  }

  public int count() {
    return tags.length / 2;
  }

  public Id16 fingerprint(int index) {
    return new Id16(tags[2 * index], tags[2 * index + 1]);
  }

  /** Where a command dated {@code timestamp} whose AES-SIV tag is {@code tag} stands. */
  public Verdict check(long timestamp, Id16 tag) {
    if (timestamp > newestTime) {
      return Verdict.NEW;
    }
    if (timestamp < newestTime) {
      return Verdict.OLDER;
    }
    if (contains(tag)) {
      return Verdict.APPLIED;
    }
    return tagsKnown && count() < MAX_FINGERPRINTS ? Verdict.NEW : Verdict.UNPROVABLE;
  }

  /**
   * After applying the command: a newer second starts a new set, the same second adds to it (when
   * there is room; a full set stays full and refuses the rest of its second), an older command
   * (anti-rollback off) changes nothing.
   */
  public AppliedCommands with(long timestamp, Id16 tag) {
    if (timestamp > newestTime) {
      return new AppliedCommands(timestamp, new long[] {tag.high(), tag.low()}, true);
    }
    if (timestamp < newestTime || contains(tag) || count() >= MAX_FINGERPRINTS) {
      return this;
    }
    long[] grown = Arrays.copyOf(tags, tags.length + 2);
    grown[tags.length] = tag.high();
    grown[tags.length + 1] = tag.low();
    return new AppliedCommands(newestTime, grown, tagsKnown);
  }

  private boolean contains(Id16 tag) {
    long high = tag.high();
    long low = tag.low();
    for (int i = 0; i < tags.length; i += 2) {
      if (tags[i] == high && tags[i + 1] == low) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "AppliedCommands[newest "
        + newestTime
        + ", "
        + count()
        + (tagsKnown ? "" : ", earlier ones unknown")
        + " this second]";
  }
}
