package maskline.loadtest;

/** One session as the load test knows it: task, proxy number P, driver D, recipient R. */
public record Binding(String taskId, String proxy, String driver, String recipient) {}
