package io.e4j.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * The log lines written while it is open, as an operator would read them (level, logger, message
 * and the messages of any exception chain), to check that errors are clear and secrets absent.
 */
final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          StringBuilder line =
              new StringBuilder()
                  .append(event.getLevel())
                  .append(' ')
                  .append(event.getLoggerName())
                  .append(" - ")
                  .append(event.getFormattedMessage());
          for (IThrowableProxy cause = event.getThrowableProxy();
              cause != null;
              cause = cause.getCause()) {
            line.append(" | ").append(cause.getClassName()).append(": ").append(cause.getMessage());
          }
          lines.add(line.toString());
        }
      };

  LogCapture() {
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  /** Whether a line at {@code level} contains every fragment. */
  boolean has(String level, String... fragments) {
    return lines.stream()
        .anyMatch(
            line ->
                line.startsWith(level + " ")
                    && List.of(fragments).stream().allMatch(line::contains));
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
