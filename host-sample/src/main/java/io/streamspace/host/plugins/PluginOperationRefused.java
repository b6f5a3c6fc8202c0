package io.streamspace.host.plugins;

import io.streamspace.plugin.api.config.ConfigProblem;
import java.util.List;
import java.util.Locale;

/** Why an install, update or uninstall was not done (or was undone), in words an admin can use. */
public final class PluginOperationRefused extends RuntimeException {

  /** The reasons; each one's lower-case name is the API's error code. */
  public enum Reason {
    /** Install of a plugin that is installed: update it instead. */
    ALREADY_INSTALLED,
    /** Update or uninstall of a plugin that is not installed. */
    NOT_INSTALLED,
    /** Update or uninstall of a plugin handed in-process: it has no package. */
    NOT_A_PACKAGE,
    /** The new version refuses the saved config; {@link #problems()} says why, key by key. */
    CONFIG_REFUSED,
    /** The new version did not start; the version before runs again. */
    UPDATE_FAILED,
    /** PF4J could not load the fetched package. */
    INSTALL_FAILED,
    /** Another operation on the plugin is running, on this node or another. */
    OPERATION_IN_PROGRESS;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;
  private final List<ConfigProblem> problems;

  PluginOperationRefused(Reason reason, String message) {
    this(reason, message, List.of());
  }

  PluginOperationRefused(Reason reason, String message, List<ConfigProblem> problems) {
    super(message);
    this.reason = reason;
    this.problems = List.copyOf(problems);
  }

  public Reason reason() {
    return reason;
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
