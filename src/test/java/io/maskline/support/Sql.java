package io.maskline.support;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** Blocking reads for test assertions against the real database. */
public final class Sql {
  private Sql() {}

  public static List<Row> rows(Pool pg, String sql, Object... params) {
    List<Row> rows = new ArrayList<>();
    pg.preparedQuery(sql).execute(Tuple.wrap(params)).await().forEach(rows::add);
    return rows;
  }

  public static long count(Pool pg, String sql, Object... params) {
    return rows(pg, sql, params).get(0).getLong(0);
  }
}
