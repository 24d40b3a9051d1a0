package io.maskline.routing;

import java.util.Locale;
import java.util.Map;

/**
 * The carrier keywords a recipient may text instead of a message: the whole text, trimmed, in any case. Anything
 * else (a keyword inside a sentence included) is an ordinary message.
 */
public enum Keyword {
  /** Stop all traffic from the org: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT. */
  OPT_OUT,
  /** Undo an opt-out: START, UNSTOP, YES. */
  OPT_IN,
  /** Who is this: HELP. */
  HELP;

  private static final Map<String, Keyword> WORDS = Map.ofEntries(
      Map.entry("STOP", OPT_OUT), Map.entry("STOPALL", OPT_OUT), Map.entry("UNSUBSCRIBE", OPT_OUT),
      Map.entry("CANCEL", OPT_OUT), Map.entry("END", OPT_OUT), Map.entry("QUIT", OPT_OUT),
      Map.entry("START", OPT_IN), Map.entry("UNSTOP", OPT_IN), Map.entry("YES", OPT_IN),
      Map.entry("HELP", HELP));
  private static final int LONGEST = "UNSUBSCRIBE".length();

  /** The keyword {@code body} is, or null for an ordinary message (or a call: no body). */
  public static Keyword of(String body) {
    if (body == null) {
      return null;
    }
    String word = body.strip();
    // Most messages are longer than any keyword: no upper-casing for them on the hot path.
    if (word.isEmpty() || word.length() > LONGEST) {
      return null;
    }
    return WORDS.get(word.toUpperCase(Locale.ROOT));
  }
}
