package io.maskline.support;

import io.maskline.dev.DevServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cuttable TCP hop between the gateway and a real server, to take a dependency "down" and bring it back, or to
 * freeze it: connections stay open (new ones are accepted) but nothing passes until {@link #thaw()}, as with a
 * server stopped by SIGSTOP; {@link #down()} while frozen drops what was held, as with a silent server.
 */
public final class TcpProxy {
  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private volatile boolean frozen;
  // Connections of an earlier generation were dropped by down(): whatever they still hold or read is discarded.
  private final java.util.concurrent.atomic.AtomicInteger generation = new java.util.concurrent.atomic.AtomicInteger();
  private final List<Runnable> held = new ArrayList<>();

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
    return listen(50);
  }

  // A client retrying against the closed port may briefly hold it (a local connect can pick it as its own port).
  private Future<Void> listen(int attemptsLeft) {
    NetServer candidate = vertx.createNetServer().connectHandler(this::relay);
    return candidate.listen(port, "127.0.0.1").<Void>map(listening -> {
      server = candidate;
      return null;
    }).recover(e -> attemptsLeft <= 1 ? Future.failedFuture(e)
        : Future.<Void>future(p -> vertx.setTimer(100, t -> p.complete())).compose(v -> listen(attemptsLeft - 1)));
  }

  /** Refuses new connections and drops open ones, as a dead server would. */
  public Future<Void> down() {
    NetServer current = server;
    server = null;
    generation.incrementAndGet();
    sockets.forEach(NetSocket::close);
    sockets.clear();
    synchronized (held) {
      held.clear();
    }
    frozen = false;
    return current == null ? Future.succeededFuture() : current.close();
  }

  /** Nothing passes any more, either way, until {@link #thaw()}; connections stay open. */
  public void freeze() {
    frozen = true;
  }

  /** Delivers what was held while frozen, in order, and relays again. */
  public void thaw() {
    frozen = false;
    List<Runnable> flushes;
    synchronized (held) {
      flushes = new ArrayList<>(held);
    }
    flushes.forEach(Runnable::run);
  }

  private void relay(NetSocket inbound) {
    inbound.pause();
    sockets.add(inbound);
    client.connect(targetPort, targetHost).onSuccess(outbound -> {
      sockets.add(outbound);
      forward(inbound, outbound);
      forward(outbound, inbound);
      inbound.resume();
    }).onFailure(e -> inbound.close());
  }

  /** Relays from → to; while frozen, data waits in a queue flushed on the context that reads from. */
  private void forward(NetSocket from, NetSocket to) {
    java.util.concurrent.atomic.AtomicReference<Context> reader = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.ArrayDeque<Buffer> queue = new java.util.ArrayDeque<>();
    int born = generation.get();
    Runnable flush = () -> {
      Context context = reader.get();
      if (context != null) {
        context.runOnContext(v -> {
          while (!frozen && !queue.isEmpty() && born == generation.get()) {
            to.write(queue.poll());
          }
        });
      }
    };
    synchronized (held) {
      held.add(flush);
    }
    from.handler(data -> {
      if (born != generation.get()) {
        return;
      }
      reader.compareAndSet(null, Vertx.currentContext());
      if (frozen || !queue.isEmpty()) {
        queue.add(data);
        if (!frozen) {
          flush.run();
        }
        return;
      }
      to.write(data);
    });
    from.closeHandler(v -> {
      to.close();
      synchronized (held) {
        held.remove(flush);
      }
    });
  }

}
