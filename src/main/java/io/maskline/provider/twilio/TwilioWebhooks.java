package io.maskline.provider.twilio;

import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.api.HttpFeature;
import io.maskline.archive.ArchiveEvent;
import io.maskline.config.GatewayConfig;
import io.maskline.inbound.DegradedEvents;
import io.maskline.inbound.InboundLedger;
import io.maskline.inbound.InboundLookup;
import io.maskline.mail.FallbackEmail;
import io.maskline.optout.OptOuts;
import io.maskline.phone.PhoneNumbers;
import io.maskline.routing.Channel;
import io.maskline.routing.Decision;
import io.maskline.routing.Inbound;
import io.maskline.routing.InboundRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Terminates the provider's webhooks: verify the signature, gather facts from Redis (one round trip), let the
 * routing core decide, answer TwiML at once, then record answer + events (second round trip). With Redis away the
 * answer is the degraded TwiML within the Redis budget, and the event waits in {@link DegradedEvents}.
 */
public final class TwilioWebhooks implements HttpFeature {
  private static final Logger LOG = LoggerFactory.getLogger(TwilioWebhooks.class);
  private static final CharSequence XML = HttpHeaders.createOptimized("application/xml");
  private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^A-Za-z0-9]");
  /** A message (SM, MMS: MM) or call (CA) sid as the provider writes it. */
  private static final Pattern SID = Pattern.compile("(SM|MM|CA)[0-9a-f]{32}");
  private static final List<String> SID_FIELDS = List.of("MessageSid", "SmsSid", "CallSid");

  private final InboundLookup lookup;
  private final InboundLedger ledger;
  private final OptOuts optOuts;
  private final DegradedEvents degraded;
  private final TwilioSignature signature;
  private final TwimlWriter twiml;
  private final GatewayConfig config;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final Map<Channel, Map<Class<?>, Counter>> routed = new EnumMap<>(Channel.class);
  private final Counter duplicates;
  private final Counter degradedAnswers;
  private final Counter rejectedSignatures;

  public TwilioWebhooks(InboundLookup lookup, InboundLedger ledger, OptOuts optOuts, DegradedEvents degraded, TwimlWriter twiml,
                        GatewayConfig config, Clock clock, MeterRegistry metrics) {
    this.lookup = lookup;
    this.ledger = ledger;
    this.optOuts = optOuts;
    this.degraded = degraded;
    this.twiml = twiml;
    this.config = config;
    this.clock = clock;
    this.metrics = metrics;
    this.signature = new TwilioSignature(config.twilio().authToken());
    for (Channel channel : Channel.values()) {
      routed.put(channel, new ConcurrentHashMap<>());
    }
    this.duplicates = Counter.builder("maskline.webhooks.duplicates").description("Provider retries answered from the stored answer").register(metrics);
    this.degradedAnswers = Counter.builder("maskline.webhooks.degraded").description("Webhooks answered degraded: Redis unavailable").register(metrics);
    this.rejectedSignatures = Counter.builder("maskline.webhooks.signature.rejected").description("Webhooks refused: bad or missing signature").register(metrics);
  }

  @Override
  public void mountRoutes(Router router) {
    router.post(WEBHOOK_PATH_PREFIX + "twilio/sms").handler(rc -> withForm(rc, form -> inbound(rc, form, Channel.SMS)));
    router.post(WEBHOOK_PATH_PREFIX + "twilio/voice").handler(rc -> withForm(rc, form -> inbound(rc, form, Channel.VOICE)));
    router.post(WEBHOOK_PATH_PREFIX + "twilio/status").handler(rc -> withForm(rc, form -> status(rc, form)));
  }

  /** Reads and verifies the form, then hands it on; anything refused goes to the failure handler as a problem. */
  private void withForm(RoutingContext rc, Consumer<WebhookForm> handler) {
    WebhookForm.read(rc.request(), config.http().bodyLimitBytes()).onComplete(read -> {
      try {
        if (read.failed()) {
          rc.fail(read.cause());
        } else {
          handler.accept(verified(rc, read.result()));
        }
      } catch (RuntimeException e) {
        rc.fail(e);
      }
    });
  }

  private void inbound(RoutingContext rc, WebhookForm form, Channel channel) {
    String sid = required(form, channel == Channel.SMS ? "MessageSid" : "CallSid");
    String proxy = PhoneNumbers.fromProvider(required(form, "To"), config.defaultCountry())
        .orElseThrow(() -> new ApiException(ErrorCode.VALIDATION_FAILED, "To is not a phone number"));
    String rawFrom = required(form, "From");
    // A withheld or alphanumeric sender has no number: it is routed as unknown, never forwarded.
    String caller = PhoneNumbers.fromProvider(rawFrom, config.defaultCountry()).orElseGet(() -> "unknown:" + NOT_ALPHANUMERIC.matcher(rawFrom).replaceAll(""));
    String body = channel == Channel.SMS ? form.get("Body") : null;
    if (body != null && body.length() > 1600) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "Body is longer than 1600 characters");
    }
    Inbound inbound = new Inbound(channel, proxy, caller, body);
    Instant now = clock.instant();

    // The hot path's Redis (PipelinedRedis) fails a command past the Redis time budget: no timer of its own here.
    lookup.lookup(sid, inbound, now.toEpochMilli())
        .onSuccess(result -> {
          if (result instanceof InboundLookup.Duplicate duplicate) {
            duplicates.increment();
            // A retry racing the first delivery gets "no forwarding": forwarding twice is the worse failure.
            answer(rc, duplicate.answer() != null ? duplicate.answer() : twiml.degraded(channel));
            return;
          }
          InboundLookup.Found found = (InboundLookup.Found) result;
          Decision decision = InboundRouter.decide(found.facts());
          String answer = twiml.render(decision, channel);
          count(channel, decision);
          answer(rc, answer);
          ArchiveEvent.Interaction event = archiveEvent(sid, found.facts().context().orgId(), found.taskId(), inbound, form, now, decision,
              found.variablesJson());
          Map<String, String> mail = decision instanceof Decision.EmailOrg email
              ? FallbackEmail.compose(email.orgId(), email.email(), email.reason(), channel, caller, proxy, body == null ? "" : body,
                  found.taskId(), sid, now, config.anonymizer().timezone(), config.mail().maskCaller()).toFields()
              : null;
          ledger.commit(sid, answer, event, mail).onFailure(e -> {
            LOG.warn("recording webhook failed, event buffered {} {}", kv("sid", sid), kv("error", e.getMessage()));
            degraded.offer(event);
          });
          remember(sid, found, decision, event.orgId());
        })
        .onFailure(e -> {
          degradedAnswers.increment();
          LOG.warn("Redis unavailable, degraded answer {} {}", kv("sid", sid), kv("error", String.valueOf(e.getMessage())));
          answer(rc, twiml.degraded(channel));
          degraded.offer(archiveEvent(sid, "", "", inbound, form, now, null, "{}"));
        });
  }

  /**
   * What a few decisions leave behind beyond the answer: an opt-out or opt-in (Postgres, then the hot path's mirror),
   * and the recipient the admin's reply on the org's own number goes back to. Rare decisions, so one more write each.
   */
  private void remember(String sid, InboundLookup.Found found, Decision decision, String orgId) {
    String caller = found.facts().inbound().caller();
    Future<Void> written = null;
    if (decision instanceof Decision.OptOut optOut) {
      written = optOuts.optOut(optOut.orgId(), caller);
    } else if (decision instanceof Decision.OptIn optIn) {
      written = optOuts.optIn(optIn.orgId(), caller);
    } else {
      String replyTarget = InboundRouter.replyTargetToRemember(found.facts(), decision);
      if (replyTarget != null) {
        written = ledger.rememberReplyTarget(found.facts().inbound().proxyNumber(), replyTarget, config.sessions().historyTtl());
      }
    }
    if (written != null) {
      written.onFailure(e -> LOG.warn("recording what a decision leaves behind failed {} {} {}", kv("sid", sid), kv("orgId", orgId),
          kv("error", e.getMessage())));
    }
  }

  private void status(RoutingContext rc, WebhookForm form) {
    String messageSid = form.get("MessageSid");
    String callSid = form.get("CallSid");
    String sid = messageSid != null ? messageSid : callSid;
    if (sid == null) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "MessageSid or CallSid is required");
    }
    String status = first(form, "MessageStatus", "CallStatus", "RecordingStatus");
    if (status == null && form.get("RecordingSid") == null) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "MessageStatus, CallStatus or RecordingSid is required");
    }
    // The org is filled in from the sid's answer by record_status.lua.
    ArchiveEvent.Status event = new ArchiveEvent.Status(sid, null, messageSid != null ? "sms" : "voice",
        form.get("RecordingSid") != null && form.get("CallStatus") == null ? "recording-" + status : status == null ? "" : status,
        clock.millis(), form.get("CallDuration"), form.get("RecordingSid"), form.get("RecordingUrl"), form.body());
    ledger.status(event)
        .onFailure(e -> degraded.offer(event.withOrg("")))
        .onComplete(done -> answer(rc, twiml.degraded(Channel.SMS)));
  }

  /** The form, once the signature over public URL + path + query + sorted params checked out. */
  private WebhookForm verified(RoutingContext rc, WebhookForm form) {
    String url = TwilioSignature.webhookUrl(config.http().publicUrl().toString(), rc.request().uri());
    String given = rc.request().getHeader(TwilioSignature.HEADER);
    if (given == null || !signature.verify(url, form.parameters(), given)) {
      rejectedSignatures.increment();
      throw new ApiException(ErrorCode.FORBIDDEN, "missing or invalid " + TwilioSignature.HEADER);
    }
    // The signature joins names and values without separators, so text can be shifted between fields of a captured
    // request ("MessageSid=SMr" + "NumMedia=0" signs as "MessageSid=SMrNumMedia0"): the fields' own shapes must hold.
    String account = config.twilio().accountSid();
    if (account != null && !account.isBlank() && !account.equals(form.get("AccountSid"))) {
      rejectedSignatures.increment();
      throw new ApiException(ErrorCode.FORBIDDEN, "AccountSid is not this installation's account");
    }
    for (String name : SID_FIELDS) {
      String sid = form.get(name);
      if (sid != null && !SID.matcher(sid).matches()) {
        throw new ApiException(ErrorCode.VALIDATION_FAILED, name + " is not a message or call sid");
      }
    }
    return form;
  }

  /** {@code decision} null: answered degraded, Redis away. */
  private static ArchiveEvent.Interaction archiveEvent(String sid, String orgId, String taskId, Inbound inbound, WebhookForm form,
                                                       Instant at, Decision decision, String variables) {
    boolean sms = inbound.channel() == Channel.SMS;
    return new ArchiveEvent.Interaction(sid, orgId == null ? "" : orgId, taskId, sms ? "sms" : "voice", inbound.caller(),
        inbound.proxyNumber(), decision == null ? "" : decision.forwardedTo(), inbound.body() == null ? "" : inbound.body(),
        at.toEpochMilli(), decision == null ? "degraded" : sms ? "received" : valueOr(form.get("CallStatus"), "ringing"),
        decision == null ? "none" : decision.routedTo(), variables, form.body());
  }

  private void count(Channel channel, Decision decision) {
    // Keyed by the decision's class (its routedTo is fixed per class): no name building per webhook.
    routed.get(channel).computeIfAbsent(decision.getClass(), type -> Counter.builder("maskline.webhooks.routed")
        .description("Inbound SMS and calls by channel and decision")
        .tag("channel", channel.name().toLowerCase())
        .tag("decision", type.getSimpleName())
        .tag("routedTo", decision.routedTo())
        .register(metrics)).increment();
  }

  private static void answer(RoutingContext rc, String twiml) {
    if (!rc.response().ended()) {
      rc.response().putHeader(HttpHeaders.CONTENT_TYPE, XML).end(twiml);
    }
  }

  private static String required(WebhookForm form, String name) {
    String value = form.get(name);
    if (value == null || value.isBlank()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, name + " is required");
    }
    return value;
  }

  private static String first(WebhookForm form, String... names) {
    for (String name : names) {
      if (form.get(name) != null) {
        return form.get(name);
      }
    }
    return null;
  }

  private static String valueOr(String value, String fallback) {
    return value == null ? fallback : value;
  }

}
