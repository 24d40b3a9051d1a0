package io.maskline.support;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The residual scan as a tester does it, independent of the product's own: every Redis key (name and value, of every
 * type) and every Postgres table dumped as text, searched for a person's number (its national digits, so any written
 * form: E.164, 00-form, national, with separators, URL-encoded) and email (any case).
 */
public final class Traces {
  private Traces() {}

  /** Every Redis key whose name or value names the person, as "key: value". */
  public static List<String> inRedis(Redis redis, String phone, String email) {
    List<String> found = new ArrayList<>();
    String cursor = "0";
    do {
      Response step = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("COUNT").arg(1000)).await();
      cursor = step.get(0).toString();
      for (Response name : step.get(1)) {
        String key = name.toString();
        String text = key + " " + dump(redis, key);
        if (names(text, phone, email)) {
          found.add(text);
        }
      }
    } while (!cursor.equals("0"));
    return found;
  }

  /** Every row of every table of the public schema (partitions included) that names the person. */
  public static List<String> inPostgres(Pool pg, String phone, String email) {
    List<String> found = new ArrayList<>();
    List<String> tables = Sql.rows(pg, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").stream().map(r -> r.getString(0)).toList();
    for (String table : tables) {
      for (var row : Sql.rows(pg, "SELECT t::text FROM \"" + table + "\" t")) {
        String text = row.getString(0);
        if (names(text, phone, email)) {
          found.add(table + ": " + text);
        }
      }
    }
    return found;
  }

  /**
   * Whether the text names the person: the national digits of the number among the text's digits (any separators,
   * URL-encoded or not), or the email in any case.
   */
  public static boolean names(String text, String phone, String email) {
    String decoded;
    try {
      decoded = URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notEncoded) {
      decoded = text;
    }
    for (String candidate : List.of(text, decoded)) {
      if (phone != null && candidate.replaceAll("[^0-9]", "").contains(phone.substring(3))) return true;
      if (email != null && candidate.toLowerCase(Locale.ROOT).contains(email.toLowerCase(Locale.ROOT))) return true;
    }
    return false;
  }

  private static String dump(Redis redis, String key) {
    String type = redis.send(Request.cmd(Command.TYPE).arg(key)).await().toString();
    Response value = switch (type) {
      case "string" -> redis.send(Request.cmd(Command.GET).arg(key)).await();
      case "hash" -> redis.send(Request.cmd(Command.HGETALL).arg(key)).await();
      case "set" -> redis.send(Request.cmd(Command.SMEMBERS).arg(key)).await();
      case "zset" -> redis.send(Request.cmd(Command.ZRANGE).arg(key).arg(0).arg(-1)).await();
      case "list" -> redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(-1)).await();
      case "stream" -> redis.send(Request.cmd(Command.XRANGE).arg(key).arg("-").arg("+")).await();
      default -> null;
    };
    return value == null ? "" : value.toString();
  }

}
