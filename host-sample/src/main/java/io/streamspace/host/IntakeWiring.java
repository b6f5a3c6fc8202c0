package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.intake.AdmissionService;
import io.streamspace.host.intake.EventIntake;

/**
 * The platform's way in: events validated and journaled (refused while the journal is too far
 * behind), and the admission check asked before a session starts.
 */
record IntakeWiring(EventIntake intake, AdmissionService admission) {

  static IntakeWiring create(
      HostOptions options,
      ObjectMapper mapper,
      JournalWiring journal,
      PluginsWiring plugins,
      PlatformWiring platform) {
    EventIntake intake =
        new EventIntake(
            mapper,
            options.clock(),
            options.maxEventAge(),
            journal.journal(),
            plugins.registry(),
            platform.sessions(),
            journal.handoff());
    return new IntakeWiring(intake, new AdmissionService(plugins.registry()));
  }
}
