package io.streamspace.plugin.api.jobs;

/**
 * What a job did.
 *
 * @param rowsTouched how many rows it inserted or changed
 * @param message     a short summary for admins, or null
 *
 * <p>Stable since 0.1.
 */
public record JobResult(long rowsTouched, String message) {

  public static JobResult of(long rowsTouched, String message) {
    return new JobResult(rowsTouched, message);
  }
}
