package io.streamspace.host.journal;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for a plugin's {@code flush()}, which a consumer awaits before moving its place. */
public final class PluginFlush {

  /** How long a plugin may take to flush a round before the round counts as failed. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private PluginFlush() {}

  /**
   * Returns once {@code flushed} has completed.
   *
   * @throws RuntimeException the flush's own failure, or one saying it did not complete within
   *     {@link #TIMEOUT}
   */
  public static void await(String pluginId, CompletionStage<?> flushed)
      throws InterruptedException {
    try {
      flushed.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException cause
          ? cause
          : new IllegalStateException("plugin " + pluginId + " failed to flush", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "plugin " + pluginId + " did not flush within " + TIMEOUT.toSeconds() + " s");
    }
  }
}
