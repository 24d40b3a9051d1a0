package io.maskline.platform.onfleet;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.api.HttpFeature;
import io.maskline.binding.Sessions;
import io.maskline.org.OrgFacts;
import io.maskline.org.PlatformCredentials;
import io.maskline.phone.PhoneNumbers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * {@code /webhooks/onfleet/{orgId}}: Onfleet task webhooks drive the task's session. {@code GET ?check=VALUE} is
 * Onfleet's URL validation (answered with VALUE); every {@code POST} is verified ({@link OnfleetSignature}) before
 * its body is read. taskStarted opens the session, taskCompleted/taskFailed/taskDeleted close it, other triggers are
 * acknowledged. Deliveries may repeat and come out of order: an end is recorded by its event time first
 * ({@link TaskTimeline}), and a start opens only when no end at or after its time is known, checked again after the
 * open, so whichever order the two arrive in, no session stays open. The session's task id is Onfleet's task id.
 */
public final class OnfleetWebhooks implements HttpFeature {
  private static final Logger LOG = LoggerFactory.getLogger(OnfleetWebhooks.class);
  public static final String PATH = "/webhooks/onfleet/:orgId";
  // Onfleet task payloads carry the whole task (completion details, attachments' ids): larger than a provider form.
  private static final int BODY_LIMIT_BYTES = 512 * 1024;

  private final PlatformCredentials credentials;
  private final OrgFacts orgFacts;
  private final Sessions sessions;
  private final TaskTimeline timeline;
  private final OnfleetWorkers workers;
  private final MeterRegistry metrics;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Counter rejectedSignatures;

  public OnfleetWebhooks(PlatformCredentials credentials, OrgFacts orgFacts, Sessions sessions, Redis redis, Duration keepTimeline,
                         WebClient client, URI apiUrl, MeterRegistry metrics) {
    this.credentials = credentials;
    this.orgFacts = orgFacts;
    this.sessions = sessions;
    this.timeline = new TaskTimeline(redis, keepTimeline);
    this.workers = new OnfleetWorkers(client, apiUrl);
    this.metrics = metrics;
    this.rejectedSignatures = Counter.builder("maskline.onfleet.signature.rejected")
        .description("Onfleet webhooks refused: bad or missing signature").register(metrics);
  }

  /** What a webhook did, answered as {@code {"taskId", "trigger", "outcome"}}. */
  enum Outcome {
    OPENED("opened"), ALREADY_OPEN("already-open"), ENDED_BEFORE_START("ended-before-start"), CLOSED("closed"),
    ALREADY_CLOSED("already-closed"), NO_SESSION("no-session"), IGNORED("ignored");

    final String name;

    Outcome(String name) {
      this.name = name;
    }
  }

  @Override
  public void mountRoutes(Router router) {
    router.get(PATH).handler(this::check);
    router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES)).handler(this::task);
  }

  /** Onfleet's URL validation: answer the {@code check} value as plain text. */
  private void check(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    String check = rc.queryParams().get("check");
    if (check == null) {
      rc.fail(ApiException.invalid("check is required"));
      return;
    }
    credentials.onfleetOfOrg(orgId)
        .onSuccess(found -> {
          if (found.isEmpty()) {
            rc.fail(ApiException.notFound("org " + orgId + " does not exist"));
          } else {
            rc.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(check);
          }
        })
        .onFailure(rc::fail);
  }

  private void task(RoutingContext rc) {
    String orgId = rc.pathParam("orgId");
    Buffer body = rc.body().buffer() == null ? Buffer.buffer() : rc.body().buffer();
    credentials.onfleetOfOrg(orgId)
        .compose(found -> {
          PlatformCredentials.Onfleet onfleet = found.orElseThrow(() -> ApiException.notFound("org " + orgId + " does not exist"));
          if (!OnfleetSignature.verify(onfleet.webhookSecret(), body.getBytes(), rc.request().getHeader(OnfleetSignature.HEADER))) {
            rejectedSignatures.increment();
            throw new ApiException(ErrorCode.UNAUTHORIZED, onfleet.webhookSecret() == null
                ? "org " + orgId + " has no onfleetWebhookSecret" : "missing or invalid " + OnfleetSignature.HEADER);
          }
          TaskWebhook hook = TaskWebhook.parse(body);
          Future<Outcome> done = switch (hook.action()) {
            case OPEN -> open(orgId, onfleet, hook);
            case CLOSE -> close(orgId, hook);
            case IGNORE -> Future.succeededFuture(Outcome.IGNORED);
          };
          return done.onSuccess(outcome -> {
            count(hook, outcome);
            LOG.info("onfleet task webhook {} {} {} {}", kv("orgId", orgId), kv("taskId", hook.taskId()), kv("trigger", hook.describe()),
                kv("outcome", outcome.name));
            rc.json(new JsonObject().put("taskId", hook.taskId()).put("triggerId", hook.triggerId()).put("outcome", outcome.name));
          });
        })
        .onFailure(rc::fail);
  }

  /**
   * Everything is gathered and checked (worker look-up, phones) before the one atomic open; the timeline is read
   * before and after it, so an end recorded meanwhile closes what was just opened.
   */
  private Future<Outcome> open(String orgId, PlatformCredentials.Onfleet onfleet, TaskWebhook hook) {
    return timeline.endedSince(orgId, hook.taskId(), hook.time()).compose(ended -> {
      if (ended) {
        return Future.succeededFuture(Outcome.ENDED_BEFORE_START);
      }
      Future<String> worker = hook.workerPhone() != null ? Future.succeededFuture(hook.workerPhone()) : workers.phone(onfleet.apiKey(), hook.workerId());
      return Future.all(worker, orgFacts.forSession(orgId)).compose(gathered -> {
        String workerPhone = gathered.resultAt(0);
        Optional<OrgFacts.SessionFacts> facts = gathered.resultAt(1);
        OrgFacts.SessionFacts org = facts.orElseThrow(() -> new ApiException(ErrorCode.UNAVAILABLE, "org " + orgId + " is not mirrored yet; retry"));
        String driver = PhoneNumbers.require("worker phone", workerPhone, org.country());
        String recipient = PhoneNumbers.require("data.task.recipients[0].phone", hook.recipientPhone(), org.country());
        if (driver.equals(recipient)) {
          throw ApiException.invalid("the worker's and the recipient's phone must differ");
        }
        return sessions.open(new Sessions.OpenRequest(orgId, hook.taskId(), driver, recipient, hook.variables(), org.anonymize()));
      }).compose(opened -> timeline.endedSince(orgId, hook.taskId(), hook.time()).compose(endedMeanwhile -> endedMeanwhile
          ? sessions.close(hook.taskId()).map(Outcome.ENDED_BEFORE_START)
          : Future.succeededFuture(opened.created() ? Outcome.OPENED : Outcome.ALREADY_OPEN)));
    });
  }

  /** The end is recorded first, then the session closed: a start racing this sees the end on one of its two reads. */
  private Future<Outcome> close(String orgId, TaskWebhook hook) {
    return timeline.ended(orgId, hook.taskId(), hook.time())
        .compose(v -> sessions.get(hook.taskId()))
        .compose(found -> {
          if (found.isEmpty() || !found.get().orgId().equals(orgId)) {
            // Another org's task of the same id is not this webhook's to close.
            return Future.succeededFuture(Outcome.NO_SESSION);
          }
          if (!found.get().open()) {
            return Future.succeededFuture(Outcome.ALREADY_CLOSED);
          }
          return sessions.close(hook.taskId()).map(Outcome.CLOSED);
        });
  }

  private void count(TaskWebhook hook, Outcome outcome) {
    outcomes.computeIfAbsent(hook.action() + ":" + outcome.name, key -> Counter.builder("maskline.onfleet.webhooks")
        .description("Onfleet task webhooks handled, by action and outcome")
        .tag("action", hook.action().name().toLowerCase()).tag("outcome", outcome.name)
        .register(metrics)).increment();
  }
}
