package io.maskline.phone;

/** Input that libphonenumber cannot read as a valid number; the API answers {@code 400 INVALID_PHONE}. */
public final class InvalidPhoneNumberException extends RuntimeException {
  private final String field;

  public InvalidPhoneNumberException(String field) {
    super(field + " is not a valid phone number (E.164, 00 + country code, or national in the org's country)", null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
