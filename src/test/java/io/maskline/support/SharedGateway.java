package io.maskline.support;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a static {@link TestGateway} field: a real gateway started for the test class before its {@code @BeforeAll}
 * methods run and stopped after its {@code @AfterAll} methods ({@link GatewayExtension}).
 * <pre>{@code @SharedGateway({"MASKLINE_RATE_PER_PAIR=3"}) static TestGateway gw;}</pre>
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(GatewayExtension.class)
public @interface SharedGateway {
  /** {@code MASKLINE_*} settings of this gateway, each {@code NAME=value}. */
  String[] value() default {};

  /**
   * A static method of the test class answering more settings ({@code Map<String, String>}), for values known only
   * when the class starts (a stub server's port): it may start what the gateway is to talk to.
   */
  String settings() default "";
}
