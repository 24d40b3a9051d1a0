package io.maskline.support;

import io.maskline.dev.DevServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A cuttable TCP hop between the gateway and a real server, to take a dependency "down" and bring it back. */
public final class TcpProxy {
  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private NetServer server;

  public TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.port = DevServices.freePort();
    this.client = vertx.createNetClient();
  }

  public int port() {
    return port;
  }

  public Future<Void> up() {
    server = vertx.createNetServer().connectHandler(this::relay);
    return server.listen(port, "127.0.0.1").mapEmpty();
  }

  /** Refuses new connections and drops open ones, as a dead server would. */
  public Future<Void> down() {
    NetServer current = server;
    server = null;
    sockets.forEach(NetSocket::close);
    sockets.clear();
    return current == null ? Future.succeededFuture() : current.close();
  }

  private void relay(NetSocket inbound) {
    inbound.pause();
    sockets.add(inbound);
    client.connect(targetPort, targetHost).onSuccess(outbound -> {
      sockets.add(outbound);
      inbound.pipeTo(outbound);
      outbound.pipeTo(inbound);
      inbound.resume();
    }).onFailure(e -> inbound.close());
  }
}
