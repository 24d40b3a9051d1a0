package io.maskline.notification;

import io.maskline.api.HttpFeature;
import io.maskline.access.Principal;
import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.org.Orgs;
import io.maskline.phone.PhoneNumbers;
import io.maskline.provider.twilio.TwilioMessages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /v1/notifications} queues a trigger notification (an SMS to a recipient, from the org's dedicated
 * number, else the platform sender: never a driver's or admin's number) and {@code GET /v1/notifications/{id}} shows
 * where it stands. The idempotency key makes a repeated POST answer the notification it created; the same key with
 * another recipient, body or task is a {@code 409 CONFLICT}. Recipients who opted out are refused
 * ({@code 409 RECIPIENT_OPTED_OUT}).
 */
public final class NotificationApi implements HttpFeature {
  private final Orgs orgs;
  private final Notifications notifications;
  private final NotificationArchive archive;
  private final OptOutCheck optOuts;
  private final TwilioMessages messages;
  private final String platformSender;
  private final Clock clock;
  private final Vertx vertx;

  public NotificationApi(Vertx vertx, Orgs orgs, Notifications notifications, NotificationArchive archive, OptOutCheck optOuts, TwilioMessages messages,
                         String platformSender, Clock clock) {
    this.vertx = vertx;
    this.orgs = orgs;
    this.notifications = notifications;
    this.archive = archive;
    this.optOuts = optOuts;
    this.messages = messages;
    this.platformSender = platformSender;
    this.clock = clock;
  }

  @Override
  public void mountApi(RouterBuilder api) {
    api.getRoute("createNotification").addHandler(this::create);
    api.getRoute("getNotification").addHandler(this::get);
  }

  private void create(RoutingContext rc) {
    JsonObject body = rc.body().asJsonObject();
    String orgId = body.getString("orgId");
    String key = body.getString("idempotencyKey");
    String text = body.getString("body");
    String taskId = body.getString("taskId");
    orgs.require(orgId)
        .compose(org -> {
          String to = PhoneNumbers.require("to", body.getString("to"), orgs.countryOf(org));
          return notifications.byKey(orgId, key).compose(existing -> {
            if (existing.isPresent()) {
              return Future.succeededFuture(repeated(existing.get(), to, text, taskId));
            }
            return optOuts.isOptedOut(orgId, to).compose(optedOut -> {
              if (optedOut) {
                throw new ApiException(ErrorCode.RECIPIENT_OPTED_OUT, "the recipient opted out of org " + orgId + "'s messages");
              }
              if (!messages.configured()) {
                throw new ApiException(ErrorCode.UNAVAILABLE, "notifications need twilio.accountSid and twilio.authToken");
              }
              return sender(orgId);
            }).compose(from -> queue(new Notifications.NewNotification(newId(), orgId, key, to, from, text, taskId), to, text, taskId));
          });
        })
        .onSuccess(answer -> rc.response().setStatusCode(answer.created() ? 202 : 200)
            .putHeader("Content-Type", "application/json")
            .end(answer.notification().toJson().encode()))
        .onFailure(rc::fail);
  }

  private Future<Notifications.Created> queue(Notifications.NewNotification request, String to, String text, String taskId) {
    Instant now = clock.instant();
    return notifications.create(request, now).map(stored -> {
      if (!stored.created()) {
        // Another request with the same key won the insert.
        return repeated(stored.notification(), to, text, taskId);
      }
      // The sender records it in the archive again with each change; this write only makes it searchable at once.
      archive.record(stored.notification(), NotificationStatus.QUEUED, now).otherwiseEmpty();
      vertx.eventBus().send(NotificationSender.WAKE_UP, "");
      return stored;
    });
  }


  private static Notifications.Created repeated(Notification existing, String to, String text, String taskId) {
    if (!existing.sameRequest(to, text, taskId)) {
      throw new ApiException(ErrorCode.CONFLICT, "idempotencyKey " + existing.idempotencyKey() + " was used for another notification");
    }
    return new Notifications.Created(existing, false);
  }

  /** The org's dedicated number, else the platform sender, else {@code 409 NO_SENDER_NUMBER}. */
  private Future<String> sender(String orgId) {
    return notifications.dedicatedNumber(orgId).map(dedicated -> dedicated.or(() -> Optional.ofNullable(platformSender))
        .orElseThrow(() -> new ApiException(ErrorCode.NO_SENDER_NUMBER,
            "org " + orgId + " has no dedicated number and no platform sender number (notifications.sender) is configured")));
  }

  private void get(RoutingContext rc) {
    String id = rc.pathParam("notificationId");
    notifications.get(id)
        // Another org's notification is answered as one that does not exist.
        .map(found -> found.filter(n -> Principal.of(rc).sees(n.orgId())))
        .onSuccess(found -> found.ifPresentOrElse(n -> rc.json(n.toJson()),
            () -> rc.fail(ApiException.notFound("notification " + id + " does not exist"))))
        .onFailure(rc::fail);
  }

  private static String newId() {
    return "NT" + UUID.randomUUID().toString().replace("-", "");
  }
}
