package io.e4j.server;

import io.e4j.server.node.C2Server;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * A C2 in its own process for {@link C2CrashIT}: starts on the given store and broker, rotates the
 * topic, then delivers slowly (a rate limit) until it is killed.
 *
 * <p>Arguments: data directory, broker port, commands per second, topic, and optionally a JDBC URL,
 * user and password (H2 in the data directory otherwise).
 */
public final class CrashTestServer {
  private CrashTestServer() {}

  public static void main(String[] args) throws Exception {
    C2Config config =
        C2CrashIT.config(
            Path.of(args[0]),
            Integer.parseInt(args[1]),
            args.length > 4
                ? C2Config.Database.of(args[4], args[5], args[6])
                : C2Config.Database.embedded());
    config = config.withDelivery(config.delivery().withRatePerSecond(Integer.parseInt(args[2])));
    C2Server server = C2Server.start(config, Clock.systemUTC(), Map.of());
    server.service().rotateTopicKey(args[3]);
    System.out.println("ROTATING");
    Thread.sleep(Long.MAX_VALUE);
  }
}
