package io.streamspace.plugin.api.jobs;

import java.util.Objects;

/**
 * Who started a run of a job by hand ({@link JobScheduler#runNow(String, JobStarter)}), so that
 * what the run changes can name them rather than the job: a plugin's audit trail keeps the
 * person, the reason they gave and the request that asked. The host carries it to the run on
 * whichever node runs it ({@link JobContext#startedBy()}); a run the schedule fires has none.
 *
 * @param userId    the platform user id of who started it (for a plugin's own route, the admin
 *                  who called it)
 * @param reason    why, as they said it, or null when they gave none
 * @param requestId the id of the request that started it (its {@code X-Request-Id}), or null
 *                  when it had none
 *
 * <p>Stable since 0.3.
 *
 * @since 0.3
 */
public record JobStarter(String userId, String reason, String requestId) {

  public JobStarter {
    Objects.requireNonNull(userId, "userId");
  }
}
