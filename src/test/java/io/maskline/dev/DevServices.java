package io.maskline.dev;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;

/**
 * Embedded Redis, Postgres and SMTP from Maven artifacts, for dev runs and tests on a machine with nothing installed.
 * Lives in test sources so the production jar never carries them.
 */
public final class DevServices {
  private DevServices() {}

  public record EmbeddedRedis(RedisServer server, int port) {
    public String url() {
      return "redis://127.0.0.1:" + port + "/0";
    }

    public void stop() {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public void start() {
      try {
        server.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static EmbeddedRedis startRedis() {
    try {
      int port = freePort();
      RedisServer server = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("save \"\"")
          .setting("appendonly no")
          .build();
      EmbeddedRedis redis = new EmbeddedRedis(server, port);
      redis.start();
      Runtime.getRuntime().addShutdownHook(new Thread(redis::stop));
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public record EmbeddedPg(EmbeddedPostgres server) {
    public String url() {
      return "postgresql://postgres:postgres@127.0.0.1:" + server.getPort() + "/postgres";
    }
  }

  public static EmbeddedPg startPostgres() {
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setPGStartupWait(Duration.ofSeconds(60))
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off")
          .setServerConfig("max_connections", "300")
          .start();
      return new EmbeddedPg(pg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static GreenMail startSmtp() {
    GreenMail mail = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    return mail;
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
