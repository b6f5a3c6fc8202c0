package io.streamspace.plugin.api.jobs;

/** How a job run ended. Stable since 0.1. */
public enum JobOutcome {
  SUCCEEDED,
  FAILED
}
