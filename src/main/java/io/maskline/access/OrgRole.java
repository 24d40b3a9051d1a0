package io.maskline.access;

import io.maskline.api.ApiException;

import java.util.Locale;

/** What an org key may do in its org: {@code admin} everything, {@code viewer} read settings, sessions and the archive. */
public enum OrgRole {
  ADMIN, VIEWER;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OrgRole parse(String value) {
    for (OrgRole role : values()) {
      if (role.wireName().equals(value)) {
        return role;
      }
    }
    throw ApiException.invalid("role must be admin or viewer");
  }
}
