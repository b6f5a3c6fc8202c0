package io.streamspace.host.jobs;

import io.streamspace.plugin.api.jobs.JobRun;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's Quartz: JDBC job store on the shared pool, clustered, a few threads. Plugins see it
 * through {@link PluginJobScheduler}; each plugin's jobs and triggers live in the Quartz group
 * named after the plugin, so disabling a plugin pauses that group.
 *
 * <p>Each node checks in every 5 s; Quartz declares a node dead 7.5 s after a missed check-in,
 * and another node then runs again the jobs the dead one was running (they request recovery:
 * plugin jobs are idempotent) and frees the triggers it held.
 */
public final class HostScheduler implements AutoCloseable {

  /** The cluster's name: every node of one database must use the same. */
  private static final String SCHEDULER_NAME = "streamspace-host";

  private static final AtomicInteger DATA_SOURCE_COUNTER = new AtomicInteger();

  /**
   * The longest a stop waits for the jobs running here: with {@link
   * io.streamspace.host.http.HttpServer#DRAIN}, within the 30 s a container is given to stop.
   */
  public static final Duration RUNNING_JOBS_WAIT = Duration.ofSeconds(15);

  private static final Logger log = LoggerFactory.getLogger(HostScheduler.class);

  private final Scheduler scheduler;
  private final PluginJobRegistry registry = new PluginJobRegistry();
  private final JobRunStore runs;
  private final RunCompletions completions;
  // set by start(): no job runs before it
  private volatile Predicate<String> pluginStarted = pluginId -> false;
  private volatile BiConsumer<String, JobRun> runRecorded = (pluginId, run) -> {};

  /**
   * @param node this node's name, unique in the cluster: Quartz's instance id, so that the
   *     fired triggers and the job runs name the node as the journal leases do
   */
  public HostScheduler(DataSource dataSource, Clock clock, String node) {
    this.runs = new JobRunStore(dataSource);
    this.completions = new RunCompletions(runs);
    // Quartz finds connection providers by name in a JVM-wide registry; a unique name per host
    // lets tests run several hosts, each on its own database, in one JVM.
    String dataSourceName = "host-pool-" + DATA_SOURCE_COUNTER.incrementAndGet();
    DBConnectionManager.getInstance()
        .addConnectionProvider(dataSourceName, new PoolConnectionProvider(dataSource));
    try {
      StdSchedulerFactory factory = new StdSchedulerFactory(properties(dataSourceName, node));
      this.scheduler = factory.getScheduler();
      // The factory caches schedulers by name JVM-wide; forget this one so a second host in the
      // same JVM gets its own scheduler instead of this one.
      SchedulerRepository.getInstance().remove(SCHEDULER_NAME);
      scheduler.setJobFactory(
          (bundle, ignored) ->
              new PluginJobDispatcher(
                  registry,
                  pluginId -> pluginStarted.test(pluginId),
                  runs,
                  completions,
                  (pluginId, run) -> runRecorded.accept(pluginId, run),
                  clock));
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot create the Quartz scheduler", e);
    }
  }

  private static Properties properties(String dataSourceName, String node) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
    p.setProperty("org.quartz.scheduler.instanceId", node);
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    // its workers end as soon as it stops (Quartz's own pool's look for that every 500 ms)
    p.setProperty("org.quartz.threadPool.class", QuartzWorkers.class.getName());
    p.setProperty("org.quartz.threadPool.threadCount", "3");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
    // Job data holds only strings (plugin id, job name, cron), never serialized objects.
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    // While the database is down Quartz fires nothing; it looks again this often (its default is
    // 15 s), so that it fires what fell due within 5 s of the database's return, as the journal's
    // consumers resume, and a run that ended in the outage is closed as soon.
    p.setProperty("org.quartz.jobStore.dbRetryInterval", "5000");
    return p;
  }

  /** The scheduler facade one plugin sees. */
  public PluginJobScheduler forPlugin(String pluginId) {
    return new PluginJobScheduler(pluginId, scheduler, registry, runs, completions);
  }

  /** Tells {@code listener} of each job run this node records (for the metrics). */
  public void onRunRecorded(BiConsumer<String, JobRun> listener) {
    this.runRecorded = listener;
  }

  /**
   * Lets Quartz fire jobs; call once plugins have registered their job code.
   *
   * @param pluginStarted whether a plugin may run jobs on this node now
   */
  public void start(Predicate<String> pluginStarted) {
    this.pluginStarted = pluginStarted;
    try {
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot start Quartz", e);
    }
  }

  /** Forgets a plugin's job code on this node (it is being unloaded here). */
  public void forgetJobs(String pluginId) {
    registry.removePlugin(pluginId);
  }

  /** Stops a plugin's jobs cluster-wide and forgets its job code on this node. */
  public void pausePlugin(String pluginId) {
    forgetJobs(pluginId);
    try {
      scheduler.pauseTriggers(GroupMatcher.triggerGroupEquals(pluginId));
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot pause the jobs of plugin " + pluginId, e);
    }
  }

  /**
   * Deletes a plugin's jobs and triggers cluster-wide (its purge), and forgets its job code here.
   * Through Quartz, in Quartz's own transaction.
   *
   * @return how many jobs were deleted
   */
  public int deleteJobs(String pluginId) {
    forgetJobs(pluginId);
    try {
      List<JobKey> jobs =
          new ArrayList<>(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(pluginId)));
      scheduler.deleteJobs(jobs); // and their triggers
      // forgets the group's pause too, so that a later install's triggers are not born paused
      scheduler.resumeTriggers(GroupMatcher.triggerGroupEquals(pluginId));
      return jobs.size();
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot delete the jobs of plugin " + pluginId, e);
    }
  }

  /** Lets a plugin's jobs fire again. */
  public void resumePlugin(String pluginId) {
    try {
      scheduler.resumeTriggers(GroupMatcher.triggerGroupEquals(pluginId));
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot resume the jobs of plugin " + pluginId, e);
    }
  }

  /**
   * Fires nothing more and waits for the jobs running on this node, for at most {@link
   * #RUNNING_JOBS_WAIT}; a job still running then is left running as the host stops (it fails
   * when the database goes, and as it requests recovery, another node runs it again).
   */
  @Override
  public void close() {
    try {
      scheduler.standby();
      if (!awaitNoRunningJob(RUNNING_JOBS_WAIT)) {
        log.warn(
            "Jobs still running after {} s are left to stop with the host: {}",
            RUNNING_JOBS_WAIT.toSeconds(),
            runningJobs());
        scheduler.shutdown(false);
      } else {
        scheduler.shutdown(true);
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz did not shut down cleanly", e);
    } finally {
      completions.close();
    }
  }

  private boolean awaitNoRunningJob(Duration most) throws SchedulerException {
    long deadline = System.nanoTime() + most.toNanos();
    while (!scheduler.getCurrentlyExecutingJobs().isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50); // Quartz offers no wait with a bound, only one without
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private List<String> runningJobs() throws SchedulerException {
    return scheduler.getCurrentlyExecutingJobs().stream()
        .map(job -> job.getJobDetail().getKey().toString())
        .toList();
  }

  /** Hands Quartz connections from the host's pool; the pool's owner closes it. */
  private record PoolConnectionProvider(DataSource dataSource) implements ConnectionProvider {
    @Override
    public Connection getConnection() throws SQLException {
      return dataSource.getConnection();
    }

    @Override
    public void shutdown() {}

    @Override
    public void initialize() {}
  }
}
