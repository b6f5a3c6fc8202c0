/**
 * Cron-scheduled plugin jobs, run through the host's clustered scheduler. Stable since 0.1.
 */
package io.streamspace.plugin.api.jobs;
