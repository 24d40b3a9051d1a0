package io.maskline.platform.onfleet;

import io.maskline.api.ApiException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts: trigger table, payload reading and the signature, against a vector computed outside Java. */
class TaskWebhookTest {
  @Test
  void triggersMapToActions() {
    assertThat(TaskAction.of(0)).isEqualTo(TaskAction.OPEN);
    for (int closing : new int[] {3, 4, 8}) {
      assertThat(TaskAction.of(closing)).isEqualTo(TaskAction.CLOSE);
    }
    for (int other : new int[] {1, 2, 5, 6, 7, 9, 10, 12, 13, 99}) {
      assertThat(TaskAction.of(other)).isEqualTo(TaskAction.IGNORE);
    }
  }

  @Test
  void signatureIsHmacSha512OfTheBodyKeyedWithTheHexDecodedSecret() {
    // python3: hmac.new(bytes.fromhex('0123456789abcdef00ff'), body, hashlib.sha512).hexdigest()
    byte[] body = "{\"taskId\":\"abc\",\"triggerId\":0}".getBytes(StandardCharsets.UTF_8);
    String expected = "d852ee2bb9f8649e1b610dd90fbbf5b5722a6f370e4c6724ca559b549d769dfbd78bdeceaf5f7444c77535ca6e7e4976b10acc6191637a621217cef9e01333f5";
    assertThat(OnfleetSignature.sign("0123456789abcdef00ff", body)).isEqualTo(expected);
    assertThat(OnfleetSignature.verify("0123456789ABCDEF00FF", body, expected.toUpperCase())).isTrue();
    assertThat(OnfleetSignature.verify("0123456789abcdef00ff", body, "zz")).isFalse();
    assertThat(OnfleetSignature.verify(null, body, expected)).isFalse();
  }

  @Test
  void metadataBecomesVariablesCappedInNumberAndLength() {
    StringBuilder metadata = new StringBuilder("[");
    for (int i = 0; i < 40; i++) {
      metadata.append(i == 0 ? "" : ",").append("{\"name\":\"k").append(i).append("\",\"type\":\"string\",\"value\":\"")
          .append(i == 0 ? "x".repeat(2000) : "v" + i).append("\"}");
    }
    metadata.append(",{\"name\":\"\",\"value\":\"nameless\"}]");
    String payload = "{\"taskId\":\"t~1\",\"time\":5,\"triggerId\":0,\"data\":{\"task\":{\"worker\":\"w1\","
        + "\"recipients\":[{\"phone\":\"+4791234567\"}],\"metadata\":" + metadata + "}}}";
    TaskWebhook hook = TaskWebhook.parse(Buffer.buffer(payload));
    assertThat(hook.variables()).hasSize(TaskWebhook.MAX_VARIABLES);
    assertThat(hook.variables().get("k0")).hasSize(TaskWebhook.MAX_VARIABLE_LENGTH);
    assertThat(hook.variables().get("k5")).isEqualTo("v5");
    assertThat(hook.workerId()).isEqualTo("w1");
    assertThat(hook.workerPhone()).isNull();
    assertThat(hook.recipientPhone()).isEqualTo("+4791234567");
  }

  @Test
  void ignoredTriggersNeedNoTaskFields() {
    assertThat(TaskWebhook.parse(Buffer.buffer("{\"triggerId\":5,\"workerId\":\"w\",\"status\":1}")).action()).isEqualTo(TaskAction.IGNORE);
    assertThatThrownBy(() -> TaskWebhook.parse(Buffer.buffer("{\"taskId\":\"t\",\"time\":1}"))).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> TaskWebhook.parse(Buffer.buffer("{\"triggerId\":3,\"taskId\":\"t/../x\",\"time\":1}")))
        .isInstanceOf(ApiException.class);
  }
}
