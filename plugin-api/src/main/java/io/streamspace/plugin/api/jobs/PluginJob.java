package io.streamspace.plugin.api.jobs;

/**
 * A job's code. It must be safe to run again after a crash half-way: a re-run changes nothing
 * that a complete run already did.
 *
 * <p>Stable since 0.1.
 */
@FunctionalInterface
public interface PluginJob {

  JobResult run(JobContext context) throws Exception;
}
