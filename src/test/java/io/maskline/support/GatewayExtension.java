package io.maskline.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts a {@link TestGateway} for each static field marked {@link SharedGateway} before the class's tests and
 * closes it after them: the one gateway set-up of the test classes that share a gateway among their tests.
 */
public final class GatewayExtension implements BeforeAllCallback, AfterAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Class<?> testClass = context.getRequiredTestClass();
    for (Field field : AnnotationSupport.findAnnotatedFields(testClass, SharedGateway.class)) {
      if (!ModifierSupport.isStatic(field) || field.getType() != TestGateway.class) {
        throw new IllegalStateException("@SharedGateway goes on a static TestGateway field: " + field);
      }
      field.setAccessible(true);
      if (field.get(null) == null) {
        field.set(null, TestGateway.start(settings(testClass, field.getAnnotation(SharedGateway.class))));
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    for (Field field : AnnotationSupport.findAnnotatedFields(context.getRequiredTestClass(), SharedGateway.class)) {
      field.setAccessible(true);
      TestGateway gateway = (TestGateway) field.get(null);
      if (gateway != null) {
        field.set(null, null);
        gateway.close();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> settings(Class<?> testClass, SharedGateway shared) throws ReflectiveOperationException {
    Map<String, String> settings = new HashMap<>();
    for (String setting : shared.value()) {
      int equals = setting.indexOf('=');
      settings.put(setting.substring(0, equals), setting.substring(equals + 1));
    }
    if (!shared.settings().isEmpty()) {
      Method method = testClass.getDeclaredMethod(shared.settings());
      method.setAccessible(true);
      settings.putAll((Map<String, String>) method.invoke(null));
    }
    return settings;
  }
}
