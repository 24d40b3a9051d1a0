package maskline.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import maskline.loadtest.AdminClient;
import maskline.loadtest.LoadConfig;

/** Closes the sessions listed (one task id per line) in {@code -DtasksFile}: bench teardown. */
public final class CloseSessions {

  private CloseSessions() {}

  public static void main(String[] args) throws IOException {
    String file = LoadConfig.str("tasksFile", args.length > 0 ? args[0] : null);
    if (file == null) {
      System.err.println("usage: java -DtasksFile=FILE -DbaseUrl=.. -DadminToken=.. " + CloseSessions.class.getName());
      System.exit(2);
    }
    List<String> tasks = Files.readAllLines(Path.of(file));
    tasks.removeIf(String::isBlank);
    AdminClient admin = new AdminClient(LoadConfig.adminUrl(), LoadConfig.adminToken());
    int failed = AdminClient.parallel(tasks.size(), LoadConfig.integer("setupConcurrency", 32),
        i -> admin.closeSession(tasks.get(i)));
    System.out.printf("[teardown] closed %d of %d sessions%n", tasks.size() - failed, tasks.size());
    System.exit(failed == 0 ? 0 : 1);
  }
}
