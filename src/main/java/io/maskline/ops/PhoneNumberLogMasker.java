package io.maskline.ops;

import com.fasterxml.jackson.core.JsonStreamContext;
import io.maskline.phone.Masking;
import net.logstash.logback.mask.ValueMasker;

import java.util.Set;

/**
 * Plugged into the JSON log encoder: every string value written to a log line has its phone numbers (URL-encoded
 * ones too) and email addresses masked. Fields that hold ids, never a person, are left as they are.
 */
public final class PhoneNumberLogMasker implements ValueMasker {
  private static final Set<String> IDS = Set.of("requestId", "runId", "entry", "entryId", "traceId", "spanId");

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (value instanceof CharSequence text) {
      if (context != null && IDS.contains(context.getCurrentName())) {
        return null;
      }
      String original = text.toString();
      String masked = Masking.identifiersIn(original);
      return masked.equals(original) ? null : masked;
    }
    return null;
  }
}
