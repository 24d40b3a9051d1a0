package io.maskline.support;

import jakarta.mail.internet.MimeMessage;

import java.util.Arrays;
import java.util.List;

/** What the shared GreenMail server received, by recipient. */
public final class Mailbox {
  private Mailbox() {}

  public static List<MimeMessage> mailsTo(String address) {
    return Arrays.stream(TestServers.get().smtp.getReceivedMessages()).filter(m -> {
      try {
        return Arrays.stream(m.getAllRecipients()).anyMatch(a -> a.toString().equals(address));
      } catch (Exception e) {
        return false;
      }
    }).toList();
  }

  public static List<MimeMessage> awaitMail(String address, int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      List<MimeMessage> found = mailsTo(address);
      if (found.size() >= count) {
        return found;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + count + " email(s) to " + address + " within 10 s");
  }
}
