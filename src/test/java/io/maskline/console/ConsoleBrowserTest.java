package io.maskline.console;

import io.maskline.support.ConsoleBrowser;
import io.maskline.support.Mailbox;
import io.maskline.support.OrgKeysForTests;
import io.maskline.support.SharedGateway;
import io.maskline.support.TestGateway;
import io.maskline.support.Webhooks;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import java.util.List;

import static io.maskline.support.ConsoleBrowser.await;
import static io.maskline.support.ConsoleBrowser.screenshot;
import static io.maskline.support.ConsoleBrowser.visible;
import static io.maskline.support.TestData.id;
import static io.maskline.support.TestData.number;
import static io.maskline.support.TestData.openSession;
import static io.maskline.support.TestData.org;
import static io.maskline.support.TestData.phone;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real (headless) Chromium against a real gateway, Redis, Postgres and SMTP: what an org admin does
 * on each page, and what the gateway then does with real, signed webhooks. Screenshots land in target/console-screenshots.
 */
class ConsoleBrowserTest {
  @SharedGateway("MASKLINE_CONSOLE_SIMULATOR=true") static TestGateway gw;
  static Webhooks webhooks;
  static ChromeDriver browser;
  static String base;

  @BeforeAll
  static void start() {
    webhooks = new Webhooks(gw);
    browser = ConsoleBrowser.driver();
    base = "http://localhost:" + gw.port;
  }

  @BeforeEach
  void signedOut() {
    browser.manage().window().setSize(new Dimension(1280, 900));
    browser.get(base + "/console/");
    browser.manage().deleteAllCookies();
    browser.executeScript("sessionStorage.clear()");
  }

  /** Signs in with the credential and opens the org (the platform token picks it in the header). */
  private static void signIn(String credential, String orgId) {
    // A fresh start as another user (signing out itself is tested on its own).
    browser.manage().deleteAllCookies();
    browser.get(base + "/console/?fresh=" + System.nanoTime());
    visible(By.name("credential")).sendKeys(credential + Keys.ENTER);
    visible(By.id("sign-out"));
    if (orgId != null && !browser.findElements(By.id("org-picker")).isEmpty()) {
      new Select(browser.findElement(By.id("org-picker"))).selectByValue(orgId);
    }
  }

  private static void open(String route) {
    browser.get(base + "/console/#/" + route);
    await(d -> !d.findElements(By.cssSelector("#main[data-shown='#/" + route + "']")).isEmpty());
    List<WebElement> errors = browser.findElements(By.cssSelector("#main .error-panel"));
    assertThat(errors).as(() -> route + " failed: " + errors.get(0).getText()).isEmpty();
  }

  private static void setToggle(String name, boolean on) {
    WebElement input = browser.findElement(By.name(name));
    if (input.isSelected() != on) {
      click(browser.findElement(By.cssSelector("[data-field='" + name + "'] label")));
    }
    assertThat(input.isSelected()).isEqualTo(on);
  }

  /** Clicks in the middle of the window's height, clear of the sticky top bar. */
  private static void click(WebElement element) {
    browser.executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
    element.click();
  }

  private static void setText(String name, String value) {
    WebElement input = browser.findElement(By.name(name));
    input.clear();
    input.sendKeys(value);
  }

  private static void save() {
    browser.findElements(By.cssSelector(".toast")).forEach(t -> browser.executeScript("arguments[0].remove()", t));
    click(browser.findElement(By.id("save-settings")));
  }

  private static void saved() {
    await(d -> d.findElements(By.cssSelector(".toast")).stream().anyMatch(t -> t.getText().contains("Settings saved")));
  }

  @Test
  void eachSettingChangesHowTheNextSignedWebhookIsRouted() throws Exception {
    String orgId = id("shop");
    org(gw, orgId, new JsonObject().put("name", "Shop Deliveries").put("adminPhone", "+4791111111"));
    String proxy = number(gw, orgId);
    String driver = phone();
    String recipient = phone();
    assertThat(openSession(gw, orgId, id("task"), driver, recipient).statusCode()).isEqualTo(201);

    signIn(TestGateway.ADMIN_TOKEN, orgId);
    open("settings");
    screenshot("settings");
    assertThat(webhooks.sms(recipient, proxy, "where are you?").bodyAsString()).contains("<Message to=\"" + driver + "\"");

    // By keyboard: the switch is a real checkbox, focused and toggled with the space bar.
    WebElement routeToAdmin = browser.findElement(By.name("routeRecipientsToAdmin"));
    browser.executeScript("arguments[0].focus()", routeToAdmin);
    new Actions(browser).sendKeys(Keys.SPACE).perform();
    assertThat(routeToAdmin.isSelected()).isTrue();
    save();
    saved();
    assertThat(webhooks.sms(recipient, proxy, "hello admin").bodyAsString()).contains("<Message to=\"+4791111111\"");

    setToggle("adminPhoneAcceptsSms", false);
    String email = orgId + "-dispatch@example.com";
    setText("email", email.toUpperCase());
    save();
    saved();
    assertThat(browser.findElement(By.name("email")).getAttribute("value")).isEqualTo(email);
    String sid = Webhooks.messageSid();
    assertThat(webhooks.sms(sid, recipient, proxy, "to the inbox").bodyAsString()).doesNotContain("<Message to=\"+4791111111\"");
    assertThat(Webhooks.awaitArchived(gw, sid, "interaction").get("routedTo")).isEqualTo("email");
    assertThat(Mailbox.awaitMail(email, 1)).hasSize(1);

    // A number the API cannot read is answered next to its field; a national one is read in the org's country.
    setText("adminPhone", "12");
    save();
    WebElement error = visible(By.cssSelector("[data-field='adminPhone'] .field-error"));
    assertThat(error.getText()).contains("adminPhone is not a valid phone number");
    assertThat(browser.findElement(By.name("adminPhone")).getAttribute("aria-invalid")).isEqualTo("true");
    screenshot("settings-error");
    setText("adminPhone", "911 22 333");
    save();
    saved();
    assertThat(browser.findElement(By.name("adminPhone")).getAttribute("value")).isEqualTo("+4791122333");
    assertThat(browser.findElements(By.cssSelector("[data-field='adminPhone'] .field-error")).get(0).isDisplayed()).isFalse();
    assertThat(webhooks.call(recipient, proxy).bodyAsString()).contains("<Number>+4791122333</Number>").doesNotContain("record=");

    setText("country", "SE");
    setText("adminPhone", "070-123 45 67");
    save();
    saved();
    assertThat(browser.findElement(By.name("adminPhone")).getAttribute("value")).isEqualTo("+46701234567");
    assertThat(webhooks.call(recipient, proxy).bodyAsString()).contains("<Number>+46701234567</Number>");

    setToggle("routeRecipientsToAdmin", false);
    setToggle("recordCalls", true);
    save();
    saved();
    assertThat(webhooks.call(recipient, proxy).bodyAsString()).contains("<Number>" + driver + "</Number>").contains("record=\"record-from-answer-dual\"");

    setToggle("anonymize", false);
    save();
    saved();
    JsonObject session = openSession(gw, orgId, id("task"), phone(), phone()).bodyAsJsonObject();
    assertThat(session.getBoolean("anonymized")).isFalse();
    assertThat(session.getString("proxyNumber")).isNull();
    JsonObject stored = gw.admin(HttpMethod.GET, "/v1/orgs/" + orgId).send().await().bodyAsJsonObject();
    assertThat(stored.getString("country")).isEqualTo("SE");
    assertThat(stored.getBoolean("recordCalls")).isTrue();

    // Each save is in the org's audit log, by the platform, naming what changed but no number.
    open("audit");
    List<WebElement> entries = await(d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("#audit tr[data-action='org.settings-changed']"));
      return rows.size() == 6 ? rows : null;
    });
    assertThat(entries.get(0).getText()).contains("Platform admin").contains("anonymize");
    assertThat(browser.findElement(By.id("audit")).getText()).contains("adminPhone").doesNotContain("+46701234567").doesNotContain("91122333");
    screenshot("audit");
  }

  @Test
  void archiveSearchFindsByPhoneAndAnonymizesAndDeletesTheSelectedRecord() {
    String orgId = id("arch");
    org(gw, orgId, new JsonObject().put("name", "Archive Org"));
    String proxy = number(gw, orgId);
    String driver = phone();
    String recipient = phone();
    openSession(gw, orgId, id("task"), driver, recipient);
    String first = Webhooks.messageSid();
    String second = Webhooks.messageSid();
    webhooks.sms(first, recipient, proxy, "first: gate code 4411");
    webhooks.sms(second, recipient, proxy, "second: leave it at the door");
    Webhooks.awaitArchived(gw, first, "interaction");
    Webhooks.awaitArchived(gw, second, "interaction");

    signIn(TestGateway.ADMIN_TOKEN, orgId);
    open("archive");
    // The phone as a person would type it: national, with spaces.
    String national = recipient.substring(3, 6) + " " + recipient.substring(6, 8) + " " + recipient.substring(8);
    setText("phone", national);
    browser.findElement(By.id("search")).click();
    await(d -> d.findElements(By.cssSelector("#archive-results tbody tr")).size() == 2);
    screenshot("archive-search");
    assertThat(browser.findElement(By.cssSelector("tr[data-sid='" + first + "']")).getText()).contains("gate code 4411");

    browser.findElement(By.cssSelector("tr[data-sid='" + first + "'] input[type=checkbox]")).click();
    browser.findElement(By.id("anonymize-delete")).click();
    WebElement dialog = visible(By.cssSelector("dialog[open]"));
    assertThat(dialog.getText()).contains("Anonymize and delete 1 record?").contains(recipient).contains("text");
    screenshot("archive-confirm");
    dialog.findElement(By.cssSelector("button.danger")).click();
    await(d -> d.findElements(By.cssSelector("#archive-results tbody tr")).size() == 1);
    assertThat(browser.findElement(By.cssSelector("#archive-results tbody tr")).getAttribute("data-sid")).isEqualTo(second);

    JsonObject all = gw.admin(HttpMethod.GET, "/v1/archive?orgId=" + orgId).send().await().bodyAsJsonObject();
    JsonObject erased = all.getJsonArray("items").stream().map(JsonObject.class::cast).filter(r -> first.equals(r.getString("sid"))).findFirst().orElseThrow();
    assertThat(erased.getBoolean("anonymized")).isTrue();
    assertThat(erased.getString("from")).isEqualTo("Anonymized");
    assertThat(erased.getString("body")).isNull();
  }

  @Test
  void anAnonymizationRequestWaitsThenTheRunMarksItDoneWithTheRowMasked() {
    String orgId = id("anon");
    org(gw, orgId, new JsonObject().put("name", "Forgetful Org"));
    String proxy = number(gw, orgId);
    String recipient = phone();
    openSession(gw, orgId, id("task"), phone(), recipient);
    String sid = Webhooks.messageSid();
    webhooks.sms(sid, recipient, proxy, "call me on the other number");
    Webhooks.awaitArchived(gw, sid, "interaction");

    signIn(TestGateway.ADMIN_TOKEN, orgId);
    open("anonymize");
    assertThat(browser.findElement(By.id("next-run")).getText()).isNotBlank();
    browser.findElement(By.id("add-request")).click();
    assertThat(visible(By.cssSelector("[data-field='phone'] .field-error")).getText()).contains("phone or email");

    setText("phone", "00" + recipient.substring(1));
    browser.findElement(By.name("scope-raw")).click();
    browser.findElement(By.id("add-request")).click();
    WebElement row = visible(By.cssSelector("#requests tr[data-status='WAITING']"));
    assertThat(row.getText()).contains(recipient).contains("Waiting").contains("Archive + Raw data");
    screenshot("anonymize-waiting");

    browser.findElement(By.id("run-now")).click();
    WebElement done = visible(By.cssSelector("#requests tr[data-status='DONE']"));
    String masked = recipient.substring(0, 3) + "******" + recipient.substring(recipient.length() - 2);
    assertThat(done.getText()).contains(masked).doesNotContain(recipient).contains("Done").contains("1 record ·").contains("raw payload");
    screenshot("anonymize");
    JsonObject archived = gw.admin(HttpMethod.GET, "/v1/archive?orgId=" + orgId).send().await().bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    assertThat(archived.getString("from")).isEqualTo("Anonymized");
  }

  @Test
  void sessionsNumbersOrgsAndTheSimulatorWorkEndToEnd() {
    String orgId = id("ops");
    org(gw, orgId, new JsonObject().put("name", "Ops Org").put("adminPhone", "+4791111112"));
    String proxy = number(gw, orgId);
    String driver = phone();
    String recipient = phone();
    String task = id("task");
    openSession(gw, orgId, task, driver, recipient);

    signIn(TestGateway.ADMIN_TOKEN, orgId);
    open("numbers");
    assertThat(browser.findElement(By.id("main")).getText()).contains(proxy).contains("Dedicated to this org");
    screenshot("numbers");

    open("sessions");
    WebElement row = visible(By.cssSelector("tr[data-task='" + task + "']"));
    assertThat(row.getText()).contains(proxy).doesNotContain(driver).doesNotContain(recipient)
        .contains(driver.substring(0, 3) + "******" + driver.substring(driver.length() - 2));
    screenshot("sessions");
    row.findElement(By.tagName("button")).click();
    visible(By.cssSelector("dialog[open] button.danger")).click();
    await(d -> d.findElements(By.cssSelector("tr[data-task='" + task + "']")).isEmpty());
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + task).send().await().bodyAsJsonObject().getString("status")).isEqualTo("closed");

    // After the task the recipient reaches the admin through the simulator, signed and routed like a real webhook.
    open("simulator");
    setText("from", recipient);
    setText("to", proxy);
    setText("body", "I missed the driver");
    browser.findElement(By.id("simulate")).click();
    WebElement record = visible(By.id("archive-record"));
    assertThat(browser.findElement(By.id("twiml")).getText()).contains("<Message to=\"+4791111112\"");
    assertThat(record.getText()).contains("admin").contains("+4791111112");
    screenshot("simulator");

    open("orgs");
    String created = id("new");
    setText("orgId", created);
    setText("name", "Brand New Org");
    setText("email", created + "@example.com");
    browser.findElement(By.id("create-org-button")).click();
    await(d -> d.findElement(By.id("org-picker")).getAttribute("value").equals(created));
    assertThat(gw.admin(HttpMethod.GET, "/v1/orgs/" + created).send().await().statusCode()).isEqualTo(200);
    open("orgs");
    screenshot("orgs");

    // A key made on the Orgs page signs in to its own org only.
    click(visible(By.cssSelector("[data-keys-for='" + created + "']")));
    click(visible(By.id("new-admin-key")));
    String secret = visible(By.id("new-key-secret")).getText();
    assertThat(secret).startsWith("mlk_");
    assertThat(browser.findElement(By.id("keys")).getText()).contains(secret.substring(0, secret.indexOf('.'))).contains("admin");
    screenshot("orgs-keys");
    signIn(secret, null);
    assertThat(visible(By.id("org-name")).getText()).isEqualTo(created);
    open("settings");
    assertThat(browser.findElement(By.name("name")).getAttribute("value")).isEqualTo("Brand New Org");
    signIn(TestGateway.ADMIN_TOKEN, orgId);

    // 360 px wide: the same pages, reflowed.
    browser.manage().window().setSize(new Dimension(360, 780));
    new Select(browser.findElement(By.id("org-picker"))).selectByValue(orgId);
    open("settings");
    Number overflow = (Number) browser.executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assertThat(overflow.intValue()).isLessThanOrEqualTo(0);
    screenshot("settings-360");
    open("archive");
    screenshot("archive-360");

    browser.findElement(By.id("sign-out")).click();
    visible(By.name("credential"));
    browser.get(base + "/console/#/settings");
    visible(By.name("credential"));
    screenshot("sign-in");
  }

  @Test
  void anOrgKeySeesOnlyItsOwnOrgsPagesAndData() {
    String orgA = id("orga");
    String orgB = id("orgb");
    org(gw, orgA, new JsonObject().put("name", "Org A"));
    org(gw, orgB, new JsonObject().put("name", "Org B"));
    String proxyA = number(gw, orgA);
    String proxyB = number(gw, orgB);
    String recipientA = phone();
    String recipientB = phone();
    String taskB = id("taskb");
    openSession(gw, orgA, id("taska"), phone(), recipientA);
    openSession(gw, orgB, taskB, phone(), recipientB);
    String sidA = Webhooks.messageSid();
    String sidB = Webhooks.messageSid();
    webhooks.sms(sidA, recipientA, proxyA, "for org A");
    webhooks.sms(sidB, recipientB, proxyB, "for org B");
    Webhooks.awaitArchived(gw, sidA, "interaction");
    Webhooks.awaitArchived(gw, sidB, "interaction");
    JsonObject adminA = OrgKeysForTests.create(gw, orgA, "admin");

    signIn(adminA.getString("secret"), null);
    assertThat(visible(By.id("org-name")).getText()).isEqualTo(orgA);
    assertThat(browser.findElements(By.id("org-picker"))).isEmpty();
    assertThat(browser.findElement(By.cssSelector(".nav")).getText()).doesNotContain("Orgs").contains("Audit log");
    open("orgs");
    assertThat(browser.findElement(By.cssSelector("#main h1")).getText()).isEqualTo("Settings");
    assertThat(browser.findElement(By.id("main")).getText()).contains(orgA).doesNotContain(orgB);
    open("archive");
    await(d -> d.findElements(By.cssSelector("#archive-results tbody tr")).size() == 1);
    assertThat(browser.findElement(By.id("archive-results")).getText()).contains("for org A").doesNotContain("for org B");
    screenshot("org-key-archive");
    open("sessions");
    assertThat(browser.findElement(By.id("main")).getText()).doesNotContain(taskB);
    open("numbers");
    assertThat(browser.findElement(By.id("main")).getText()).contains(proxyA).doesNotContain(proxyB).doesNotContain("Shared pool numbers");

    // The signed-in page itself asking for org B (its cookie, its CSRF token) gets what a stranger gets: nothing there.
    assertThat(fetchStatus("GET", "/v1/archive?orgId=" + orgB)).isEqualTo(404);
    assertThat(fetchStatus("GET", "/v1/orgs/" + orgB)).isEqualTo(404);
    assertThat(fetchStatus("GET", "/v1/sessions?orgId=" + orgB)).isEqualTo(404);
    assertThat(fetchStatus("PUT", "/v1/orgs/" + orgB)).isEqualTo(404);
    assertThat(fetchStatus("DELETE", "/v1/sessions/" + taskB)).isEqualTo(404);
    assertThat(gw.admin(HttpMethod.GET, "/v1/sessions/" + taskB).send().await().bodyAsJsonObject().getString("status")).isEqualTo("open");
    assertThat(gw.admin(HttpMethod.GET, "/v1/orgs/" + orgB).send().await().bodyAsJsonObject().getString("name")).isEqualTo("Org B");

    // The simulator plays only to the key's own numbers: what it shows (TwiML, archive row) stays in org A.
    open("simulator");
    setText("from", phone());
    setText("to", proxyB);
    browser.findElement(By.id("simulate")).click();
    assertThat(visible(By.cssSelector("#simulator-form .form-alert")).getText()).contains("is not one of org " + orgA + "'s numbers");
    setText("to", proxyA);
    browser.findElement(By.id("simulate")).click();
    assertThat(visible(By.id("archive-record")).getText()).contains("Proxy number").contains(proxyA);

    // A viewer key of A reads and changes nothing.
    JsonObject viewerA = OrgKeysForTests.create(gw, orgA, "viewer");
    signIn(viewerA.getString("secret"), null);
    open("settings");
    assertThat(browser.findElements(By.id("save-settings"))).isEmpty();
    assertThat(browser.findElement(By.name("adminPhone")).isEnabled()).isFalse();
    assertThat(browser.findElement(By.cssSelector(".nav")).getText()).doesNotContain("Audit log");
    open("archive");
    // A viewer finds the records but not what was said in them.
    assertThat(browser.findElements(By.cssSelector("#archive-results tbody tr"))).isNotEmpty();
    assertThat(browser.findElement(By.id("archive-results")).getText()).doesNotContain("for org A");
    assertThat(browser.findElements(By.cssSelector("#archive-results input[type=checkbox]"))).isEmpty();
    assertThat(fetchStatus("PUT", "/v1/orgs/" + orgA)).isEqualTo(403);
  }

  /** The status the signed-in page gets for a same-origin call with its session cookie and CSRF token. */
  private static long fetchStatus(String method, String path) {
    Object status = browser.executeAsyncScript("""
        const [method, path, done] = arguments;
        fetch('/v1/console/session').then(r => r.json()).then(session => fetch(path, {
          method, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken},
          body: method === 'PUT' ? JSON.stringify({name: 'taken over'}) : undefined,
        })).then(r => done(r.status), e => done(-1));""", method, path);
    return ((Number) status).longValue();
  }

  @Test
  void aWrongCredentialIsAnsweredNextToTheField() {
    browser.get(base + "/console/");
    visible(By.name("credential")).sendKeys("not-a-key" + Keys.ENTER);
    assertThat(visible(By.cssSelector("[data-field='credential'] .field-error")).getText()).contains("not valid");
    assertThat(browser.manage().getCookies()).isEmpty();
    List<?> errors = (List<?>) browser.executeScript("return window.__cspViolations || []");
    assertThat(errors).isEmpty();
  }
}
