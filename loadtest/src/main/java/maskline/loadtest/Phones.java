package maskline.loadtest;

/**
 * Synthetic E.164 numbers in Norwegian mobile ranges (+47 4x / 9x, 8 digits), disjoint blocks per role,
 * so that every generated number passes a libphonenumber validity check and no two roles collide.
 */
public final class Phones {

  private Phones() {}

  /** Proxy numbers of the load-test pool: +4741000000 .. +4741999999. */
  public static String proxy(int k) {
    return "+4741" + six(k);
  }

  /** Drivers of the webhook fixture: +4745000000 .. +4745999999. */
  public static String driver(int j) {
    return "+4745" + six(j);
  }

  /** Recipients of the webhook fixture: +4790000000 .. +4799999999 (10 million). */
  public static String recipient(int i) {
    if (i < 0 || i >= 10_000_000) {
      throw new IllegalArgumentException("recipient index out of range: " + i);
    }
    return String.format("+479%07d", i);
  }

  /** Callers no session has ever bound: +4748000000 .. +4748999999. */
  public static String unknown(int u) {
    return "+4748" + six(u);
  }

  /** Drivers of the session-open simulation: +4747000000 .. (separate from the webhook fixture). */
  public static String sessionDriver(int j) {
    return "+4747" + six(j);
  }

  /** Recipients of the session-open simulation: +4746000000 .. +4746999999 (wraps). */
  public static String sessionRecipient(long i) {
    return "+4746" + six((int) (i % 1_000_000));
  }

  /** The load-test org's admin phone. */
  public static String adminPhone() {
    return "+4740000000";
  }

  private static String six(int n) {
    if (n < 0 || n >= 1_000_000) {
      throw new IllegalArgumentException("index out of range: " + n);
    }
    return String.format("%06d", n);
  }
}
