package io.maskline.support;

import com.icegreen.greenmail.util.GreenMail;
import io.maskline.dev.DevServices;

/**
 * The servers the whole test run shares, started once: the ones named by {@code MASKLINE_REDIS_URL} /
 * {@code MASKLINE_PG_URL} when set (a second target: the machine's own servers), else embedded ones.
 * SMTP is always a real GreenMail server.
 */
public final class TestServers {
  private static TestServers instance;

  public final String redisUrl;
  public final String pgUrl;
  public final GreenMail smtp;

  private TestServers(String redisUrl, String pgUrl, GreenMail smtp) {
    this.redisUrl = redisUrl;
    this.pgUrl = pgUrl;
    this.smtp = smtp;
  }

  public static synchronized TestServers get() {
    if (instance == null) {
      String redis = blankToNull(System.getenv("MASKLINE_REDIS_URL"));
      String pg = blankToNull(System.getenv("MASKLINE_PG_URL"));
      instance = new TestServers(
          redis != null ? redis : DevServices.startRedis().url(),
          pg != null ? pg : DevServices.startPostgres().url(),
          DevServices.startSmtp());
      Runtime.getRuntime().addShutdownHook(new Thread(instance.smtp::stop));
    }
    return instance;
  }

  public String redisHost() {
    return java.net.URI.create(redisUrl).getHost();
  }

  public int redisPort() {
    int port = java.net.URI.create(redisUrl).getPort();
    return port < 0 ? 6379 : port;
  }

  /** The same Redis database, reached through another host:port (a {@link TcpProxy}). */
  public String redisUrlVia(int port) {
    java.net.URI uri = java.net.URI.create(redisUrl);
    return uri.getScheme() + "://" + (uri.getUserInfo() == null ? "" : uri.getUserInfo() + "@") + "127.0.0.1:" + port
        + (uri.getPath() == null ? "" : uri.getPath());
  }

  public String pgHost() {
    return io.vertx.pgclient.PgConnectOptions.fromUri(pgUrl).getHost();
  }

  public int pgPort() {
    return io.vertx.pgclient.PgConnectOptions.fromUri(pgUrl).getPort();
  }

  /** The same Postgres database, reached through another port on 127.0.0.1 (a {@link TcpProxy}). */
  public String pgUrlVia(int port) {
    var options = io.vertx.pgclient.PgConnectOptions.fromUri(pgUrl);
    String credentials = options.getUser() + (options.getPassword() == null || options.getPassword().isEmpty() ? "" : ":" + options.getPassword());
    return "postgresql://" + credentials + "@127.0.0.1:" + port + "/" + options.getDatabase();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
