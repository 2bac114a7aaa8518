package io.e4j.server.internal.transport;

import io.e4j.server.C2Exception;
import io.e4j.server.C2Exception.Reason;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * An MQTT broker inside the C2 process (Moquette), for the zero-setup run: devices' sessions and
 * queued commands persist under the data directory. Fleets use a real broker instead.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private final Server server;
  private final String host;
  private final int port;

  private EmbeddedBroker(Server server, String host, int port) {
    this.server = server;
    this.host = host;
    this.port = port;
  }

  public static EmbeddedBroker start(String host, int port, Path dataDirectory) {
    int listening = port == 0 ? freePort(host) : port;
    Properties properties = new Properties();
    properties.setProperty("host", host);
    properties.setProperty("port", Integer.toString(listening));
    properties.setProperty("websocket_port", "disabled");
    properties.setProperty("allow_anonymous", "true");
    properties.setProperty("telemetry_enabled", "false");
    properties.setProperty("netty.epoll", "false");
    try {
      Path data = Files.createDirectories(dataDirectory);
      properties.setProperty("data_path", data.toAbsolutePath().toString());
    } catch (IOException e) {
      throw new C2Exception(
          Reason.CONFIGURATION, "cannot create the broker's directory " + dataDirectory, e);
    }
    Server server = new Server();
    try {
      server.startServer(new MemoryConfig(properties));
    } catch (IOException | RuntimeException e) {
      server.stopServer();
      throw new C2Exception(
          Reason.CONFIGURATION,
          "the embedded MQTT broker cannot listen on "
              + host
              + ":"
              + listening
              + ": "
              + e.getMessage(),
          e);
    }
    return new EmbeddedBroker(server, host, listening);
  }

  /**
   * Port 0 asks for any free port. Moquette reports the port it was given, not the one it bound, so
   * C2 finds a free one itself, to know where to connect.
   */
  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new C2Exception(
          Reason.CONFIGURATION, "no free port for the embedded MQTT broker on " + host, e);
    }
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    server.stopServer();
  }
}
