package io.maskline.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/** A JVM started on the test classpath the way production starts ours: for tests of entry points. */
public final class JavaProcess {
  private JavaProcess() {}

  /** {@code java [jvmOptions] -cp <test classpath> mainClass}, in the build's working directory, logging to a file of its own. */
  public static ProcessBuilder builder(String mainClass, String... jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Its own log file (a -Dmaskline.test.log in jvmOptions comes later and wins): the test JVM's, which
    // LogMaskingTest reads, is opened with append=false.
    command.add("-Dmaskline.test.log=target/test-logs/" + mainClass.substring(mainClass.lastIndexOf('.') + 1) + "-" + System.nanoTime() + ".json");
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    return new ProcessBuilder(command);
  }

  /**
   * The exit code, once the process ends within {@code timeout}. One that does not is a failure that carries its
   * thread dump, and is killed: a hang must show where it hangs, never hold the build.
   */
  public static int exitCode(Process process, Duration timeout) throws InterruptedException {
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    String threads = threadDump(process);
    process.destroyForcibly();
    return fail("process did not exit within " + timeout + "; its threads:\n" + threads);
  }

  private static String threadDump(Process process) {
    try {
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
      String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return dump;
    } catch (IOException | InterruptedException e) {
      return "(no thread dump: " + e + ")";
    }
  }
}
