package io.streamspace.host.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronTranslatorTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0 * * * *      | 0 0 * * * ?",
        "*/15 * * * *   | 0 */15 * * * ?",
        "0 0 1 * *      | 0 0 0 1 * ?",
        "0 9 * * 1-5    | 0 0 9 ? * MON-FRI",
        "30 2 * * 0     | 0 30 2 ? * SUN",
        "30 2 * * 7     | 0 30 2 ? * SUN",
        "0 0 * * sat,0  | 0 0 0 ? * SAT,SUN",
        "0 12 * jan *   | 0 0 12 * JAN ?"
      })
  void translatesUnixCronToQuartz(String unix, String quartz) {
    assertEquals(quartz, CronTranslator.toQuartz(unix));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "0 24 * * *",
        "0 0 * * 8",
        "0 0 1 * 1",
        "0 0 ? * *",
        "x y z a b",
        "0 0 32 * *"
      })
  void refusesInvalidCron(String cron) {
    assertTrue(CronTranslator.problem(cron).isPresent(), "should refuse '" + cron + "'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "*/0 * * * *",
        "0/0 * * * *",
        "0 */0 * * *",
        "0 0 */0 * *",
        "0 0 * * 1/0",
        "*/ * * * *"
      })
  void aStepOfZeroIsRefused_QuartzWouldFireEveryMinute(String cron) {
    assertTrue(
        CronTranslator.problem(cron).orElse("").contains("a step must be 1 or more"),
        cron + ": " + CronTranslator.problem(cron));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"0 * * * *", "*/15 * * * *", "0 0 1 * *", "0 9 * * 1-5", "5-55/10 * * * *"})
  void acceptsValidCron(String cron) {
    assertTrue(CronTranslator.problem(cron).isEmpty());
  }
}
