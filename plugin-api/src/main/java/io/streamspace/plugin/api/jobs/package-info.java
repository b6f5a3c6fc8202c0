/**
 * Cron-scheduled plugin jobs, run through the host's clustered scheduler, and run now on behalf of
 * someone ({@link io.streamspace.plugin.api.jobs.JobStarter}). Stable since 0.1; runs on behalf of
 * someone since 0.3.
 */
package io.streamspace.plugin.api.jobs;
