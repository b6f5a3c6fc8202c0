package io.streamspace.host.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.Host;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.JobStarter;
import io.streamspace.plugin.api.jobs.JobStatus;
import io.streamspace.plugin.api.jobs.PluginJob;
import io.streamspace.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The dispatcher, runNow and status on a real clustered Quartz over PostgreSQL. */
class PluginJobsTest extends HostTestBase {

  private JobRun runNow(String job) throws Exception {
    return plugin.context.scheduler().runNow(job).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void runNowRunsThroughQuartzAndRecordsTheRun() throws Exception {
    JobRun run = runNow("count");

    assertEquals(JobOutcome.SUCCEEDED, run.outcome());
    assertEquals(42, run.rowsTouched());
    assertEquals("counted", run.message());
    assertEquals(NOW, run.startedAt(), "recorded with the host's clock");
    assertNotNull(run.node());
  }

  @Test
  void aRunStartedOnBehalfOfSomeone_tellsTheJobWhoWhyAndTheRequest_andARunNamingNobodyTellsNone()
      throws Exception {
    JobScheduler scheduler = plugin.context.scheduler();
    List<JobContext> runs = new CopyOnWriteArrayList<>();
    scheduler.schedule(
        "whoami",
        "0 3 1 1 *",
        ZoneOffset.UTC,
        context -> {
          runs.add(context);
          return JobResult.of(0, "ran");
        });
    try {
      JobStarter root = new JobStarter("root", "catching up", "req-7");
      scheduler.runNow("whoami", root).toCompletableFuture().get(30, TimeUnit.SECONDS);
      JobStarter noReason = new JobStarter("ada", null, null);
      scheduler.runNow("whoami", noReason).toCompletableFuture().get(30, TimeUnit.SECONDS);
      scheduler.runNow("whoami").toCompletableFuture().get(30, TimeUnit.SECONDS);

      // through Quartz's tables: the starter rides on the run's own trigger, not the job's data
      assertEquals(
          List.of(Optional.of(root), Optional.of(noReason), Optional.empty()),
          runs.stream().map(JobContext::startedBy).toList());
    } finally {
      scheduler.unschedule("whoami");
    }
  }

  @Test
  void onTwoNodes_eachRunOfAJobRequestedOnEitherHappensOnceInTheCluster() throws Exception {
    RecordingPlugin otherPlugin = new RecordingPlugin();
    try (Host other = startNode(otherPlugin)) {
      int countedBefore = plugin.countRuns.get();
      List<CompletableFuture<JobRun>> requested = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        requested.add(plugin.context.scheduler().runNow("count").toCompletableFuture());
        requested.add(otherPlugin.context.scheduler().runNow("count").toCompletableFuture());
      }
      Map<String, Integer> runsByNode = new TreeMap<>();
      for (CompletableFuture<JobRun> run : requested) {
        runsByNode.merge(run.get(30, TimeUnit.SECONDS).node(), 1, Integer::sum);
      }

      int counted = plugin.countRuns.get() - countedBefore + otherPlugin.countRuns.get();
      assertEquals(20, counted, "each request ran once, on whichever node took it: " + runsByNode);
      assertEquals(20, runsByNode.values().stream().mapToInt(Integer::intValue).sum());
    }
  }

  @Test
  void onTwoNodes_aCronJobRunsOncePerFireTime() throws Exception {
    RecordingPlugin otherPlugin = new RecordingPlugin();
    try (Host other = startNode(otherPlugin)) {
      Map<Instant, List<String>> runs = new ConcurrentHashMap<>();
      // hourly, at a minute half an hour away: no node takes the trigger before the test brings
      // its fire time forward (Quartz takes a trigger up to 30 s before its fire time)
      String cron = (ZonedDateTime.now(ZoneOffset.UTC).getMinute() + 30) % 60 + " * * * *";
      plugin.context.scheduler().schedule("tick", cron, ZoneOffset.UTC, tick(runs, "a"));
      otherPlugin.context.scheduler().schedule("tick", cron, ZoneOffset.UTC, tick(runs, "b"));
      try {
        fireSoon("tick", plugin, otherPlugin);
        Instant fireTime = awaitFirstRun(runs);
        awaitNoFiringOf("tick", fireTime);

        assertEquals(1, runs.get(fireTime).size(), "nodes that ran " + fireTime + ": " + runs);
      } finally {
        plugin.context.scheduler().unschedule("tick");
      }
    }
  }

  @Test
  void schedulingAJobAgainOnTheSameCronKeepsItsTrigger_anotherCronReplacesIt() throws Exception {
    JobScheduler scheduler = plugin.context.scheduler();
    scheduler.schedule("tock", "0 3 * * *", ZoneOffset.UTC, job -> JobResult.of(0, "tock"));
    try {
      // the trigger's start moved a minute back, so that a replacement (starting at the next
      // whole second) would show whenever it happens
      long startedAt = triggerStart("tock") - 60_000;
      moveTriggerStart("tock", startedAt);

      scheduler.schedule("tock", "0 3 * * *", ZoneOffset.UTC, job -> JobResult.of(0, "tock"));
      assertEquals(startedAt, triggerStart("tock"), "the same cron: the trigger is kept");

      scheduler.schedule("tock", "0 4 * * *", ZoneOffset.UTC, job -> JobResult.of(0, "tock"));
      assertTrue(triggerStart("tock") > startedAt, "another cron: the trigger is replaced");
    } finally {
      scheduler.unschedule("tock");
    }
  }

  private void moveTriggerStart(String jobName, long startTime) throws Exception {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement statement =
            connection.prepareStatement(
                "UPDATE qrtz_triggers SET start_time = ? WHERE trigger_name = ?")) {
      statement.setLong(1, startTime);
      statement.setString(2, jobName);
      assertEquals(1, statement.executeUpdate(), "one trigger for " + jobName);
    }
  }

  private long triggerStart(String jobName) throws Exception {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT start_time FROM qrtz_triggers WHERE trigger_name = ?")) {
      statement.setString(1, jobName);
      try (ResultSet rows = statement.executeQuery()) {
        assertTrue(rows.next(), "a trigger for " + jobName);
        return rows.getLong(1);
      }
    }
  }

  /** A job that notes which node ran it for which fire time. */
  private static PluginJob tick(Map<Instant, List<String>> runs, String node) {
    return job -> {
      runs.computeIfAbsent(job.scheduledFireTime(), t -> new CopyOnWriteArrayList<>()).add(node);
      return JobResult.of(0, "ticked on " + node);
    };
  }

  /**
   * Brings the next fire time of every trigger of the job forward to the next whole second in
   * Quartz's tables, as if the cron's time were that close, instead of waiting for it; then has
   * each node look at the tables at once (a run requested on a node wakes its Quartz thread,
   * which otherwise looks every 24 to 30 s). Both nodes then compete for that fire time as they
   * would for the cron's.
   */
  private void fireSoon(String jobName, RecordingPlugin... nodes) throws Exception {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement statement =
            connection.prepareStatement(
                "UPDATE qrtz_triggers SET next_fire_time = ?"
                    + " WHERE job_name = ? AND trigger_state = 'WAITING'")) {
      statement.setLong(
          1, Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).toEpochMilli());
      statement.setString(2, jobName);
      assertTrue(statement.executeUpdate() > 0, "a trigger of " + jobName + " waiting to fire");
    }
    for (RecordingPlugin node : nodes) {
      node.context.scheduler().runNow("count").toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** The first fire time that ran. */
  private static Instant awaitFirstRun(Map<Instant, List<String>> runs) {
    Await.await(
        Duration.ofSeconds(75), Duration.ofMillis(20), "the cron job fired", () -> !runs.isEmpty());
    return runs.keySet().iterator().next();
  }

  /**
   * Waits until Quartz is done with {@code fireTime} on every node: the trigger has moved past it
   * and no node is running it any more.
   */
  private void awaitNoFiringOf(String jobName, Instant fireTime) throws Exception {
    String pending =
        """
        SELECT (SELECT count(*) FROM qrtz_triggers
                WHERE trigger_name LIKE ? AND next_fire_time <= ?)
             + (SELECT count(*) FROM qrtz_fired_triggers WHERE job_name LIKE ?)
        """;
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement statement = connection.prepareStatement(pending)) {
      statement.setString(1, "%" + jobName + "%");
      statement.setLong(2, fireTime.toEpochMilli());
      statement.setString(3, "%" + jobName + "%");
      Await.await(
          Duration.ofSeconds(30),
          Duration.ofMillis(20),
          "Quartz done with " + fireTime,
          () -> {
            try (ResultSet rows = statement.executeQuery()) {
              rows.next();
              return rows.getLong(1) == 0;
            }
          });
    }
  }

  @Test
  void failingJobIsRecordedAsFailed() throws Exception {
    JobRun run = runNow("fail");
    assertEquals(JobOutcome.FAILED, run.outcome());
    assertEquals("job broke", run.message());
  }

  @Test
  void statusShowsCronLastRunAndNextFireTime() throws Exception {
    runNow("count");
    JobStatus status =
        plugin.context.scheduler().status().stream()
            .filter(s -> s.jobName().equals("count"))
            .findFirst()
            .orElseThrow();

    assertEquals("0 * * * *", status.cron());
    assertEquals(42, status.lastRun().rowsTouched());
    assertNotNull(status.nextFireTime());
    assertTrue(status.nextFireTime().isAfter(Instant.now().minusSeconds(1)));
    assertEquals(0, status.nextFireTime().getEpochSecond() % 3600, "fires on the hour");
  }

  @Test
  void rescheduleReplacesTheCron() {
    JobScheduler scheduler = plugin.context.scheduler();
    scheduler.schedule("temp", "*/5 * * * *", java.time.ZoneOffset.UTC, ctx -> null);
    scheduler.schedule("temp", "0 0 1 * *", java.time.ZoneOffset.UTC, ctx -> null);
    JobStatus status =
        scheduler.status().stream()
            .filter(s -> s.jobName().equals("temp"))
            .findFirst()
            .orElseThrow();
    assertEquals("0 0 1 * *", status.cron());
    scheduler.unschedule("temp");
    assertTrue(scheduler.status().stream().noneMatch(s -> s.jobName().equals("temp")));
  }

  @Test
  void refusesUnknownJobAndBadCron() {
    JobScheduler scheduler = plugin.context.scheduler();
    assertThrows(IllegalArgumentException.class, () -> scheduler.runNow("no-such-job"));
    assertThrows(
        IllegalArgumentException.class,
        () -> scheduler.schedule("bad", "every hour", java.time.ZoneOffset.UTC, ctx -> null));
    assertTrue(scheduler.validateCron("0 25 * * *").isPresent());
  }
}
