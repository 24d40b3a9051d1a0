package io.maskline.ops;

import com.fasterxml.jackson.core.JsonStreamContext;
import io.maskline.phone.Masking;
import net.logstash.logback.mask.ValueMasker;

/** Plugged into the JSON log encoder: every string value written to a log line has its phone numbers masked. */
public final class PhoneNumberLogMasker implements ValueMasker {
  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (value instanceof CharSequence text) {
      String original = text.toString();
      String masked = Masking.phonesIn(original);
      return masked.equals(original) ? null : masked;
    }
    return null;
  }
}
