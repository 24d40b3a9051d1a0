package io.maskline.org;

import io.maskline.api.ApiException;

/** How an org's sessions get their proxy number (allocation itself is one Redis script: open_session.lua). */
public enum NumberSelection {
  /** The number the recipient last had with the org when free for both parties, else one of their area code/country. */
  STICKY_LOCAL("sticky-local"),
  /** The least-used free number, wherever it is at home. */
  LEAST_USED("least-used");

  private final String value;

  NumberSelection(String value) {
    this.value = value;
  }

  /** As the API and Redis spell it. */
  public String value() {
    return value;
  }

  /** The selection named {@code value}; null means the default. */
  public static NumberSelection of(String value) {
    if (value == null) {
      return STICKY_LOCAL;
    }
    for (NumberSelection selection : values()) {
      if (selection.value.equals(value)) {
        return selection;
      }
    }
    throw ApiException.invalid("numberSelection must be sticky-local or least-used");
  }
}
