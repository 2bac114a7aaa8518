package io.e4j.server.internal.broker;

import java.util.concurrent.CompletableFuture;

/**
 * What C2 tells the embedded broker when its device tables change, so that connected devices follow
 * at once ({@code devices} access mode; in {@code open} mode there is nothing to apply). Each call
 * returns at once; its future completes when the broker has applied the change.
 */
public interface AccessChanges {
  /** The device may now publish and subscribe on {@code topic}. */
  CompletableFuture<Void> linked(byte[] deviceId, String topic);

  /**
   * The device may no longer use {@code topic}: its clients' subscriptions to it are removed
   * (connected or not, as far as this broker has seen them since it started; others lose it at
   * their next connection) and their publishes there are refused.
   */
  CompletableFuture<Void> unlinked(byte[] deviceId, String topic);

  /**
   * The topic is gone, and every link to it: as {@link #unlinked} for every device the broker has
   * seen since it started, so that no device keeps a subscription there or publishes there.
   */
  CompletableFuture<Void> topicRemoved(String topic);

  /** The device is gone: its clients are disconnected and their sessions discarded. */
  CompletableFuture<Void> deviceRemoved(byte[] deviceId);

  /**
   * The device's credential changed (its key, or the credential C2 issued it): its clients are
   * disconnected, all of them (the broker does not remember which password each logged in with),
   * and log in again with what is good now.
   */
  CompletableFuture<Void> credentialsChanged(byte[] deviceId);

  /** For brokers C2 does not run: nothing to apply. */
  AccessChanges NONE =
      new AccessChanges() {
        @Override
        public CompletableFuture<Void> linked(byte[] deviceId, String topic) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> unlinked(byte[] deviceId, String topic) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> topicRemoved(String topic) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> deviceRemoved(byte[] deviceId) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> credentialsChanged(byte[] deviceId) {
          return CompletableFuture.completedFuture(null);
        }
      };
}
