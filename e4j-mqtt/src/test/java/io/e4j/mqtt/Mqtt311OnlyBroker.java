package io.e4j.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broker that speaks only MQTT 3.1.1, made of a real Mosquitto behind a small gate on a loopback
 * port: a CONNECT of MQTT 5 is answered as a 3.1.1-only broker answers it and the connection
 * closed; any other connection is passed through to Mosquitto byte for byte. (Mosquitto itself
 * cannot be told to refuse MQTT 5.)
 */
public final class Mqtt311OnlyBroker implements AutoCloseable {

  /** How MQTT 5 is refused. */
  public enum Refusal {
    /**
     * MQTT 3.1.1 §3.2.2.3: CONNACK with return code 0x01, "unacceptable protocol level" (Mosquitto
     * 1.x, most 3.1.1 brokers).
     */
    MQTT311_CONNACK(new byte[] {0x20, 0x02, 0x00, 0x01}),
    /**
     * The same return code in an MQTT 5 shaped CONNACK (with an empty property length), which an
     * MQTT 5 decoder cannot read: what Moquette 0.17 sends.
     */
    MQTT5_SHAPED_CONNACK(new byte[] {0x20, 0x03, 0x00, 0x01, 0x00});

    private final byte[] answer;

    Refusal(byte[] answer) {
      this.answer = answer;
    }
  }

  private final ServerSocket server;
  private final int backendPort;
  private final Refusal refusal;
  private final AtomicInteger mqtt5Refused = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private Mqtt311OnlyBroker(ServerSocket server, int backendPort, Refusal refusal) {
    this.server = server;
    this.backendPort = backendPort;
    this.refusal = refusal;
  }

  /** A gate on a free loopback port in front of {@code backend}. */
  public static Mqtt311OnlyBroker inFrontOf(Mosquitto backend, Refusal refusal) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Mqtt311OnlyBroker broker = new Mqtt311OnlyBroker(server, backend.port(), refusal);
    Thread acceptor = new Thread(broker::accept, "mqtt311-only-broker");
    acceptor.setDaemon(true);
    acceptor.start();
    return broker;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** How many MQTT 5 CONNECTs it refused. */
  public int mqtt5Refused() {
    return mqtt5Refused.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        Thread connection = new Thread(() -> serve(client), "mqtt311-only-connection");
        connection.setDaemon(true);
        connection.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try {
      byte[] connect = readPacket(client.getInputStream());
      if (protocolLevel(connect) == 5) {
        mqtt5Refused.incrementAndGet();
        client.getOutputStream().write(refusal.answer);
        client.getOutputStream().flush();
        client.close();
        return;
      }
      Socket mosquitto = new Socket();
      sockets.add(mosquitto);
      mosquitto.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort));
      mosquitto.getOutputStream().write(connect);
      mosquitto.getOutputStream().flush();
      Thread back = new Thread(() -> pump(mosquitto, client), "mqtt311-only-back");
      back.setDaemon(true);
      back.start();
      pump(client, mosquitto);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  /** The whole first packet: fixed header, remaining length and the rest. */
  private static byte[] readPacket(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    int header = data.readUnsignedByte();
    if ((header & 0xF0) != 0x10) {
      throw new IOException("the first packet is not CONNECT");
    }
    packet.write(header);
    int length = 0;
    for (int shift = 0; ; shift += 7) {
      int digit = data.readUnsignedByte();
      packet.write(digit);
      length |= (digit & 0x7F) << shift;
      if ((digit & 0x80) == 0) {
        break;
      }
    }
    byte[] rest = new byte[length];
    data.readFully(rest);
    packet.write(rest);
    return packet.toByteArray();
  }

  /** CONNECT's protocol level, the byte after the protocol name. */
  private static int protocolLevel(byte[] connect) {
    int offset = 1;
    while ((connect[offset] & 0x80) != 0) {
      offset++;
    }
    offset++;
    int nameLength = ((connect[offset] & 0xFF) << 8) | (connect[offset + 1] & 0xFF);
    return connect[offset + 2 + nameLength] & 0xFF;
  }

  private static void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[8192];
      for (int read; (read = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException ended) {
      // One side went away: close both below.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing is all that is left to do.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(Mqtt311OnlyBroker::closeQuietly);
  }
}
