package io.maskline.support;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * The one headless Chromium the console tests share (started on first use, quit when the test JVM exits), driven
 * through the system's chromedriver. Paths default to Debian's packages ({@code chromium}, {@code chromium-driver});
 * {@code CHROMIUM_BIN} / {@code CHROMEDRIVER_BIN} override them.
 */
public final class ConsoleBrowser {
  public static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  private static ChromeDriver driver;

  private ConsoleBrowser() {}

  public static synchronized ChromeDriver driver() {
    if (driver == null) {
      try {
        Path profile = Files.createTempDirectory("maskline-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(env("CHROMIUM_BIN", "/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,900", "--lang=en-GB");
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(env("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")))
            .usingAnyFreePort()
            .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        ChromeDriver started = driver;
        Runtime.getRuntime().addShutdownHook(new Thread(started::quit));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return driver;
  }

  public static <T> T await(Function<ChromeDriver, T> condition) {
    // Pages re-render as their data arrives: an element found a moment ago may have been replaced, so look again.
    return new WebDriverWait(driver(), Duration.ofSeconds(15)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> condition.apply((ChromeDriver) d));
  }

  public static WebElement visible(By by) {
    return new WebDriverWait(driver(), Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /** Saves what the browser shows as target/console-screenshots/{name}.png, the whole page tall. */
  public static Path screenshot(String name) {
    ChromeDriver browser = driver();
    Dimension window = browser.manage().window().getSize();
    browser.executeScript("document.querySelectorAll('.toast').forEach(t => t.remove())");
    try {
      Number height = (Number) browser.executeScript("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)");
      browser.manage().window().setSize(new Dimension(window.getWidth(), Math.min(Math.max(height.intValue() + 140, 600), 4000)));
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      browser.manage().window().setSize(window);
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
