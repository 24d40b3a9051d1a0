package io.maskline.console;

import io.maskline.api.HttpFeature;
import io.maskline.api.ApiException;
import io.maskline.access.Principal;
import io.maskline.archive.ArchiveSearch;
import io.maskline.binding.ProxyNumbers;
import io.maskline.config.GatewayConfig;
import io.maskline.org.Orgs;
import io.maskline.phone.PhoneNumbers;
import io.maskline.provider.twilio.TwilioSignature;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /v1/simulator/inbound} (dev runs only, {@code console.simulator}): plays the provider. Builds the
 * form Twilio would post for an inbound SMS or call, signs it as Twilio signs it (the configured auth token, the
 * public URL), posts it to this gateway's own webhook path and reports the TwiML answer and the archive record it
 * produced. Nothing here bypasses the webhook path: what the simulator shows is what a real message would do.
 */
public final class WebhookSimulator implements HttpFeature {
  private static final long ARCHIVE_WAIT_MS = 5_000;
  private static final long ARCHIVE_POLL_MS = 100;

  private final Vertx vertx;
  private final Orgs orgs;
  private final ArchiveSearch archive;
  private final ProxyNumbers numbers;
  private final GatewayConfig config;
  private final TwilioSignature signature;
  private final WebClient client;

  public WebhookSimulator(Vertx vertx, Orgs orgs, ArchiveSearch archive, ProxyNumbers numbers, GatewayConfig config) {
    this.vertx = vertx;
    this.orgs = orgs;
    this.archive = archive;
    this.numbers = numbers;
    this.config = config;
    this.signature = config.twilio().authToken() == null ? null : new TwilioSignature(config.twilio().authToken());
    this.client = WebClient.create(vertx);
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("simulateInbound").addHandler(this::simulate);
  }

  private void simulate(RoutingContext rc) {
    if (!config.console().simulator() || signature == null) {
      throw ApiException.notFound("the simulator is off (console.simulator is false in this gateway)");
    }
    JsonObject body = rc.body().asJsonObject();
    String channel = body.getString("channel");
    String orgId = body.getString("orgId");
    Future<String> country = orgId == null ? Future.succeededFuture(config.defaultCountry())
        : orgs.get(orgId).map(org -> org.map(orgs::countryOf).orElse(config.defaultCountry()));
    country.compose(region -> {
          String from = PhoneNumbers.require("from", body.getString("from"), region);
          String to = PhoneNumbers.require("to", body.getString("to"), region);
          return ownNumber(Principal.of(rc), to).map(own -> new Parties(from, to));
        })
        .compose(parties -> {
          String from = parties.from();
          String to = parties.to();
          boolean sms = "sms".equals(channel);
          String sid = (sms ? "SM" : "CA") + UUID.randomUUID().toString().replace("-", "");
          Map<String, String> form = new LinkedHashMap<>();
          form.put(sms ? "MessageSid" : "CallSid", sid);
          form.put("AccountSid", config.twilio().accountSid() == null ? "ACsimulator" : config.twilio().accountSid());
          form.put("From", from);
          form.put("To", to);
          if (sms) {
            form.put("Body", body.getString("body", ""));
            form.put("NumMedia", "0");
          } else {
            form.put("CallStatus", "ringing");
            form.put("Direction", "inbound");
          }
          String path = "/webhooks/twilio/" + (sms ? "sms" : "voice");
          return post(path, form).compose(answer -> awaitArchived(sid, System.currentTimeMillis() + ARCHIVE_WAIT_MS)
              .map(record -> answer.put("sid", sid).put("webhook", path).put("archive", record.orElse(null))));
        })
        .onSuccess(rc::json)
        .onFailure(rc::fail);
  }

  private record Parties(String from, String to) {}

  /**
   * An org key simulates only towards its own org's dedicated numbers: a message to another org's number (or to the
   * shared pool, where the caller's binding decides the org) would be routed, archived and answered for that org.
   */
  private Future<Void> ownNumber(Principal who, String to) {
    if (!(who instanceof Principal.OrgKey key)) {
      return Future.succeededFuture();
    }
    return numbers.list(key.orgId()).compose(own -> own.stream().anyMatch(n -> n.number().equals(to))
        ? Future.succeededFuture()
        : Future.failedFuture(ApiException.notFound("number " + to + " is not one of org " + key.orgId() + "'s numbers")));
  }

  private Future<JsonObject> post(String path, Map<String, String> form) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    form.forEach((name, value) -> params.put(name, List.of(value)));
    String signed = signature.sign(TwilioSignature.webhookUrl(config.http().publicUrl().toString(), path), params);
    MultiMap body = MultiMap.caseInsensitiveMultiMap();
    form.forEach(body::add);
    return client.post(config.http().port(), "127.0.0.1", path)
        .putHeader(TwilioSignature.HEADER, signed)
        .sendForm(body)
        .map(response -> new JsonObject()
            .put("status", response.statusCode())
            .put("contentType", response.getHeader("Content-Type"))
            .put("answer", response.bodyAsString()));
  }

  /** The archiver writes asynchronously: look for the record until it is there or the wait is over. */
  private Future<Optional<JsonObject>> awaitArchived(String sid, long deadline) {
    return archive.interaction(sid).compose(found -> {
      if (found.isPresent() || System.currentTimeMillis() >= deadline) {
        return Future.succeededFuture(found);
      }
      Promise<Optional<JsonObject>> later = Promise.promise();
      vertx.setTimer(ARCHIVE_POLL_MS, t -> awaitArchived(sid, deadline).onComplete(later));
      return later.future();
    });
  }
}
