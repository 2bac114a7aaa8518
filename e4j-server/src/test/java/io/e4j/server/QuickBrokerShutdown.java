package io.e4j.server;

import com.hivemq.configuration.service.InternalConfigurations;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Once per test JVM, before any test: the embedded broker (HiveMQ CE) stops without the 2 s it
 * otherwise waits, at every stop, for persistence tasks that might still arrive. Tests stop the
 * broker after what they check has happened, and start one per test, dozens per run. C2 itself
 * keeps HiveMQ's default; the shipped jar, run by tests in its own process, too.
 */
public final class QuickBrokerShutdown implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    InternalConfigurations.PERSISTENCE_SHUTDOWN_GRACE_PERIOD_MSEC.set(0);
  }
}
