package io.maskline.provider.twilio;

import io.maskline.api.HttpFeature;
import io.maskline.api.ApiException;
import io.maskline.api.ErrorCode;
import io.maskline.config.GatewayConfig;
import io.maskline.notification.NotificationArchive;
import io.maskline.notification.NotificationStatus;
import io.maskline.notification.Notifications;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code POST /webhooks/twilio/notifications/{id}/status}: the provider's delivery statuses of a notification (the
 * {@code StatusCallback} its send named). Verified like every provider webhook; a status moves the notification only
 * forward and is archived as a status update of its record. Statuses that say nothing about delivery are acknowledged.
 */
public final class NotificationStatusCallbacks implements HttpFeature {
  private final Notifications notifications;
  private final NotificationArchive archive;
  private final TwilioSignature signature;
  private final GatewayConfig config;
  private final Clock clock;

  public NotificationStatusCallbacks(Notifications notifications, NotificationArchive archive, GatewayConfig config, Clock clock) {
    this.notifications = notifications;
    this.archive = archive;
    this.signature = new TwilioSignature(config.twilio().authToken());
    this.config = config;
    this.clock = clock;
  }

  @Override
  public void mountRoutes(Router router) {
    router.post(HttpFeature.WEBHOOK_PATH_PREFIX + "twilio/notifications/:id/status").handler(this::status);
  }

  private void status(RoutingContext rc) {
    String id = rc.pathParam("id");
    WebhookForm.read(rc.request(), config.http().bodyLimitBytes())
        .compose(form -> {
          String url = TwilioSignature.webhookUrl(config.http().publicUrl().toString(), rc.request().uri());
          String given = rc.request().getHeader(TwilioSignature.HEADER);
          if (given == null || !signature.verify(url, form.parameters(), given)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "missing or invalid " + TwilioSignature.HEADER);
          }
          String messageStatus = form.get("MessageStatus");
          if (messageStatus == null) {
            throw ApiException.invalid("MessageStatus is required");
          }
          Optional<NotificationStatus> status = NotificationStatus.fromProvider(messageStatus);
          if (status.isEmpty()) {
            return Future.succeededFuture();
          }
          String error = form.get("ErrorCode") == null ? null : "provider error " + form.get("ErrorCode");
          Instant now = clock.instant();
          return notifications.providerStatus(id, status.get(), form.get("MessageSid"), error, now).compose(applied -> {
            if (applied.orgId() == null) {
              throw ApiException.notFound("notification " + id + " does not exist");
            }
            return applied.moved() ? archive.status(applied.orgId(), id, status.get(), now).otherwiseEmpty() : Future.succeededFuture();
          });
        })
        .onSuccess(done -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }
}
