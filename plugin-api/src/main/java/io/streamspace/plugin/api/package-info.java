/**
 * The contract between a StreamSpace-style host and its plugins.
 *
 * <p>A plugin contributes one {@link io.streamspace.plugin.api.PlatformPlugin} extension. The
 * same object may also implement the optional capabilities
 * {@link io.streamspace.plugin.api.session.AdmissionCheck},
 * {@link io.streamspace.plugin.api.config.ConfigurablePlugin} and
 * {@link io.streamspace.plugin.api.data.PurgeablePlugin}; the host looks for them with
 * {@code instanceof}. Everything the host offers reaches the plugin through
 * {@link io.streamspace.plugin.api.PluginContext}.
 *
 * <p><b>Stability.</b> Every public type in this package and its sub-packages is stable API since
 * 0.1, or since the version its javadoc names (0.2 added
 * {@link io.streamspace.plugin.api.event.DeadLetters} and {@code PluginContext.deadLetters()},
 * usage reports ({@link io.streamspace.plugin.api.event.UsageReport} through
 * {@code PlatformPlugin.onUsageReported}), and
 * the error answer every endpoint gives, {@link io.streamspace.plugin.api.http.HttpError} with
 * {@link io.streamspace.plugin.api.http.HttpStatus}, and the purge of a plugin's data,
 * {@link io.streamspace.plugin.api.data.PurgeablePlugin}; 0.3 added organizations:
 * {@link io.streamspace.plugin.api.event.OrganizationEvent} through
 * {@code PlatformPlugin.onOrganizationEvent}, {@code orgId} on session events, usage reports and
 * admission requests, {@link io.streamspace.plugin.api.http.Caller#memberships()}, and any meter
 * id in usage reports, {@code UsageReport.METER_ID}; then the journal's events,
 * {@code PluginContext.journal()}, and the change of configuration a plugin writes beside,
 * {@link io.streamspace.plugin.api.config.ConfigSaving} through
 * {@code ConfigurablePlugin.onConfigSaving}, and the rule of which organization pays,
 * {@link io.streamspace.plugin.api.event.BilledOrganization} with {@code billedOrgId()} on
 * session events and usage reports): it
 * changes only in a new major version. A plugin calling what a version added requires it in its
 * {@code plugin.requires} (the billing plugin: {@code >=0.3.0 & <0.4.0}), so an older host
 * refuses it at install rather than failing at its first call. Signatures use JDK types and this
 * module's own types only, because the host and each plugin load third-party libraries in
 * separate class loaders (a plugin's Jackson is not the host's Jackson).
 */
package io.streamspace.plugin.api;
