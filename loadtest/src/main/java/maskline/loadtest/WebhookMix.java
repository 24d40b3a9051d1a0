package maskline.loadtest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates a realistic stream of signed Twilio webhooks over a {@link Fixture}.
 *
 * <p>Kinds and default weights (properties {@code mixForward}, {@code mixPostTask}, {@code mixUnknown},
 * {@code mixDuplicate}, relative weights):
 * <ul>
 *   <li>forward (80): a participant of an active session texts/calls the proxy; driver or recipient 50/50.</li>
 *   <li>post-task (8): a participant of a closed session texts/calls its old proxy (history rules).</li>
 *   <li>unknown (5): a number never bound texts/calls one of the org's proxy numbers.</li>
 *   <li>duplicate (7): a provider retry: byte-identical resend (same Sid, body, signature) of one of the
 *       last {@code dupWindow} (20000) webhooks sent.</li>
 * </ul>
 * {@code voicePct} (30) of the non-duplicate webhooks are calls to {@code /webhooks/twilio/voice}, the rest
 * SMS to {@code /webhooks/twilio/sms}. Every new webhook has a fresh MessageSid ({@code SM}+32 hex) or
 * CallSid ({@code CA}+32 hex). Parameters are the ones Twilio sends for an inbound SMS/call.
 *
 * <p>Thread-safe ({@link #next()} is synchronized), deterministic for a given {@code seed}.
 */
public final class WebhookMix {

  public static final String SMS_PATH = "/webhooks/twilio/sms";
  public static final String VOICE_PATH = "/webhooks/twilio/voice";

  private static final String[] BODIES = {
      "Hei! Jeg står utenfor nå.",
      "Can you leave the parcel at the door?",
      "Ring på når du er her, takk",
      "Kode til porten er 4711 & 2. etasje",
      "I'm 5 min away",
      "<3 takk for hjelpen!",
      "Ok 👍",
      "Where exactly is entrance \"B\"? Is it next to the café?",
      "Jeg er ikke hjemme før 18:00, kan du levere hos naboen (nr. 12)?",
      "Yes",
  };

  private final Fixture fixture;
  private final TwilioSigner signer;
  private final String publicUrl;
  private final String accountSid;
  private final double wForward;
  private final double wPostTask;
  private final double wUnknown;
  private final double wDuplicate;
  private final double voiceShare;
  private final WebhookRequest[] ring;
  private final SplittableRandom random;
  private int ringSize;
  private int ringNext;
  private long issued;

  public WebhookMix(Fixture fixture, TwilioSigner signer, String publicUrl, String accountSid,
                    double forward, double postTask, double unknown, double duplicate,
                    double voicePct, int dupWindow, long seed) {
    double sum = forward + postTask + unknown + duplicate;
    if (sum <= 0 || forward < 0 || postTask < 0 || unknown < 0 || duplicate < 0) {
      throw new IllegalArgumentException("mix weights must be >= 0 with a positive sum");
    }
    this.fixture = fixture;
    this.signer = signer;
    this.publicUrl = LoadConfig.stripSlash(publicUrl);
    this.accountSid = accountSid;
    this.wForward = forward / sum;
    this.wPostTask = postTask / sum;
    this.wUnknown = unknown / sum;
    this.wDuplicate = duplicate / sum;
    this.voiceShare = Math.max(0, Math.min(100, voicePct)) / 100.0;
    this.ring = new WebhookRequest[Math.max(1, dupWindow)];
    this.random = new SplittableRandom(seed);
  }

  /** From system properties; {@code voicePctOverride} (if not null) replaces {@code -DvoicePct}. */
  public static WebhookMix fromProperties(Fixture fixture, Double voicePctOverride) {
    return new WebhookMix(fixture,
        new TwilioSigner(LoadConfig.authToken()),
        LoadConfig.publicUrl(),
        LoadConfig.accountSid(),
        LoadConfig.dbl("mixForward", 80),
        LoadConfig.dbl("mixPostTask", 8),
        LoadConfig.dbl("mixUnknown", 5),
        LoadConfig.dbl("mixDuplicate", 7),
        voicePctOverride != null ? voicePctOverride : LoadConfig.dbl("voicePct", 30),
        LoadConfig.integer("dupWindow", 20_000),
        LoadConfig.integer("seed", (int) System.nanoTime()));
  }

  public long issued() {
    return issued;
  }

  public synchronized WebhookRequest next() {
    if (!fixture.ready()) {
      throw new IllegalStateException("fixture not set up (before() did not complete)");
    }
    issued++;
    double x = random.nextDouble();
    if (x >= wForward + wPostTask + wUnknown && ringSize > 0) {
      return ring[random.nextInt(ringSize)].asDuplicate();
    }
    boolean voice = random.nextDouble() < voiceShare;
    WebhookRequest req;
    List<Binding> closed = fixture.closed();
    if (x < wForward || (x < wForward + wPostTask && closed.isEmpty())) {
      List<Binding> active = fixture.active();
      Binding b = active.get(random.nextInt(active.size()));
      boolean fromDriver = random.nextBoolean();
      req = build(voice, "forward", fromDriver ? b.driver() : b.recipient(), b.proxy(), true);
    } else if (x < wForward + wPostTask) {
      Binding b = closed.get(random.nextInt(closed.size()));
      boolean fromDriver = random.nextBoolean();
      req = build(voice, "post-task", fromDriver ? b.driver() : b.recipient(), b.proxy(), false);
    } else {
      List<String> proxies = fixture.proxies();
      String proxy = proxies.get(random.nextInt(proxies.size()));
      req = build(voice, "unknown", Phones.unknown(random.nextInt(1_000_000)), proxy, false);
    }
    ring[ringNext] = req;
    ringNext = (ringNext + 1) % ring.length;
    ringSize = Math.min(ringSize + 1, ring.length);
    return req;
  }

  private WebhookRequest build(boolean voice, String kind, String from, String to, boolean forward) {
    Map<String, String> p = new LinkedHashMap<>();
    String sid;
    if (voice) {
      sid = sid("CA");
      p.put("AccountSid", accountSid);
      p.put("ApiVersion", "2010-04-01");
      p.put("CallSid", sid);
      p.put("CallStatus", "ringing");
      p.put("Called", to);
      p.put("CalledCountry", "NO");
      p.put("Caller", from);
      p.put("CallerCountry", "NO");
      p.put("Direction", "inbound");
      p.put("From", from);
      p.put("FromCountry", "NO");
      p.put("To", to);
      p.put("ToCountry", "NO");
    } else {
      sid = sid("SM");
      p.put("ToCountry", "NO");
      p.put("SmsMessageSid", sid);
      p.put("NumMedia", "0");
      p.put("SmsSid", sid);
      p.put("SmsStatus", "received");
      p.put("Body", BODIES[random.nextInt(BODIES.length)]);
      p.put("FromCountry", "NO");
      p.put("To", to);
      p.put("NumSegments", "1");
      p.put("MessageSid", sid);
      p.put("AccountSid", accountSid);
      p.put("From", from);
      p.put("ApiVersion", "2010-04-01");
    }
    String path = voice ? VOICE_PATH : SMS_PATH;
    String channel = voice ? "voice" : "sms";
    return new WebhookRequest(channel + " " + kind, channel, path, encode(p), signer.sign(publicUrl + path, p),
        sid, from, forward ? (voice ? "<Dial" : "<Message") : null);
  }

  private String sid(String prefix) {
    return prefix + String.format("%016x%016x", random.nextLong(), random.nextLong());
  }

  static String encode(Map<String, String> params) {
    StringBuilder sb = new StringBuilder(512);
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }
}
