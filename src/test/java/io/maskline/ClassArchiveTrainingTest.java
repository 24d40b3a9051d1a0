package io.maskline;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The image's class-archive training walks the real routes with every backing store away, and exits cleanly. */
class ClassArchiveTrainingTest {

  @Test
  void everyKindOfRequestGoesThroughTheRealRouterWithNoStoresAround() {
    Map<String, Integer> statuses = ClassArchiveTraining.run();

    assertThat(statuses).containsEntry("live", 200)
        .containsEntry("ready", 503)                       // Redis and Postgres are closed ports
        .containsEntry("metrics", 200)
        .containsEntry("openapi", 200)
        .containsEntry("sms", 200)                         // the degraded TwiML, as with Redis down in production
        .containsEntry("voice", 200)
        .containsEntry("status", 200)
        .containsEntry("unsigned", 403)
        .containsEntry("invalidOrg", 400)                  // contract validation before any store is asked
        .containsEntry("putOrg", 503)                      // a store away is "retry later", not a server bug
        .containsEntry("openSession", 503)
        .containsEntry("searchArchive", 503)
        .containsEntry("unauthorized", 401)
        .containsEntry("notFound", 404);
  }
}
