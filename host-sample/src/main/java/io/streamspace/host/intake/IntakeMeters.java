package io.streamspace.host.intake;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamspace.common.http.ApiException;
import java.util.function.Supplier;

/**
 * Counts and times platform event batches ({@code streamspace.intake.*}) and admission decisions
 * ({@code streamspace.admission.*}) as {@code POST /api/platform/...} answers them. It lives
 * with the intake it measures, on the {@link MeterRegistry} the host's metrics own: the metrics
 * package serves the registry and knows nothing of intake's types.
 */
public final class IntakeMeters {

  private final MeterRegistry registry;
  private final Timer intakeDuration;

  public IntakeMeters(MeterRegistry registry) {
    this.registry = registry;
    this.intakeDuration =
        Timer.builder("streamspace.intake.duration")
            .description("Time to journal a batch of platform events and answer it")
            .publishPercentileHistogram()
            .register(registry);
  }

  /**
   * Receives a batch: counts it by outcome ({@code accepted}; {@code rejected} when refused with
   * a 4xx, nothing journaled; {@code failed} otherwise) and its events by outcome.
   */
  public EventIntake.Result batch(Supplier<EventIntake.Result> receive) {
    Timer.Sample sample = Timer.start(registry);
    try {
      EventIntake.Result result = receive.get();
      batches("accepted");
      events("accepted", result.accepted());
      events("duplicate", result.duplicates());
      events("conflict", result.conflicts().size());
      return result;
    } catch (ApiException e) {
      batches(e.error().status() < 500 ? "rejected" : "failed");
      throw e;
    } catch (RuntimeException e) {
      batches("failed");
      throw e;
    } finally {
      sample.stop(intakeDuration);
    }
  }

  /** Decides an admission: counts it ({@code allowed}, or {@code denied} with its code), timed. */
  public AdmissionService.Answer admission(Supplier<AdmissionService.Answer> decide) {
    Timer.Sample sample = Timer.start(registry);
    try {
      AdmissionService.Answer answer = decide.get();
      registry
          .counter(
              "streamspace.admission.decisions",
              "decision",
              answer.allowed() ? "allowed" : "denied",
              "code",
              answer.allowed() ? "" : String.valueOf(answer.code()))
          .increment();
      return answer;
    } finally {
      sample.stop(registry.timer("streamspace.admission.duration"));
    }
  }

  private void batches(String outcome) {
    registry.counter("streamspace.intake.batches", "outcome", outcome).increment();
  }

  private void events(String outcome, int count) {
    registry.counter("streamspace.intake.events", "outcome", outcome).increment(count);
  }
}
