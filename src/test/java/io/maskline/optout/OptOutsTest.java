package io.maskline.optout;

import io.maskline.storage.Keys;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

class OptOutsTest {
  @SharedGateway static TestGateway gw;
  static Redis redis;
  static Pool pg;
  static OptOuts optOuts;

  @BeforeAll
  static void start() {
    redis = gw.gateway.services().redis();
    pg = gw.gateway.services().pg();
    optOuts = new OptOuts(pg, redis);
  }

  @Test
  void anOptOutIsRecordedPerOrgAndUndoneByOptIn() {
    String orgId = id("org");
    String otherOrg = id("org");
    String recipient = phone();

    optOuts.optOut(orgId, recipient).await();
    optOuts.optOut(orgId, recipient).await();

    assertThat(optOuts.isOptedOut(orgId, recipient).await()).isTrue();
    assertThat(optOuts.isOptedOut(otherOrg, recipient).await()).as("per org").isFalse();
    assertThat(mirrored(orgId, recipient)).isTrue();

    optOuts.optIn(orgId, recipient).await();
    assertThat(optOuts.isOptedOut(orgId, recipient).await()).isFalse();
    assertThat(mirrored(orgId, recipient)).isFalse();
  }

  @Test
  void aRedisThatLostTheMirrorGetsItBackFromPostgres() {
    String orgId = id("org");
    String recipient = phone();
    optOuts.optOut(orgId, recipient).await();
    redis.send(Request.cmd(Command.DEL).arg(Keys.optOuts(orgId))).await();

    optOuts.mirrorAll().await();

    assertThat(mirrored(orgId, recipient)).isTrue();
  }

  private static boolean mirrored(String orgId, String phone) {
    return redis.send(Request.cmd(Command.SISMEMBER).arg(Keys.optOuts(orgId)).arg(phone)).await().toInteger() == 1;
  }
}
