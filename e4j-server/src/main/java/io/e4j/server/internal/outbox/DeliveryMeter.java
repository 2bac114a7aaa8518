package io.e4j.server.internal.outbox;

/**
 * Counts the commands the transport acknowledged or failed, for the metrics. Called from any
 * thread.
 */
public interface DeliveryMeter {
  void delivered(int commands);

  void failed(int commands);
}
