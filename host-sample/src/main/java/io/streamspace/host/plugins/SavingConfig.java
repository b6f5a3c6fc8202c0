package io.streamspace.host.plugins;

import io.streamspace.plugin.api.config.ConfigSaving;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The host's {@link ConfigSaving}: a change in the transaction that saves it. */
record SavingConfig(
    Connection connection,
    Instant at,
    String changedBy,
    Optional<String> reason,
    Optional<String> requestId,
    String beforeJson,
    String afterJson,
    List<String> changedKeys,
    Set<String> secretsChanged)
    implements ConfigSaving {}
