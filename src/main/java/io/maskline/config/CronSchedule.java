package io.maskline.config;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;

/** A Quartz-style cron expression (the format docs/API.md names for {@code MASKLINE_ANONYMIZER_SCHEDULE}). */
public final class CronSchedule {
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

  private final ExecutionTime executionTime;

  public CronSchedule(String expression) {
    Cron cron = PARSER.parse(expression);
    cron.validate();
    this.executionTime = ExecutionTime.forCron(cron);
  }

  static String validate(String expression) {
    new CronSchedule(expression);
    return expression;
  }

  /** Time from {@code now} to the next run, in the zone {@code now} carries. */
  public Optional<Duration> untilNext(ZonedDateTime now) {
    return executionTime.timeToNextExecution(now);
  }
}
