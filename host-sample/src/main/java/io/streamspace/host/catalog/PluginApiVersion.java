package io.streamspace.host.catalog;

import io.streamspace.plugin.api.PlatformPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.pf4j.DefaultVersionManager;
import org.pf4j.VersionManager;

/**
 * The plugin-api version this host implements, as the plugin-api artifact itself states it (its
 * build writes {@code plugin-api-version.properties}): PF4J's system version, which each plugin's
 * {@code plugin.requires} expression must match.
 */
public final class PluginApiVersion {

  private static final VersionManager VERSIONS = new DefaultVersionManager();
  private static final String CURRENT = read();

  private PluginApiVersion() {}

  /** The version, e.g. {@code 0.3.0}. */
  public static String current() {
    return CURRENT;
  }

  /** Whether a {@code plugin.requires} expression (null, empty or {@code *}: any) accepts it. */
  public static boolean satisfies(String version, String requires) {
    return VERSIONS.checkVersionConstraint(version, requires);
  }

  /** PF4J's (semantic version) order. */
  public static int compare(String a, String b) {
    return VERSIONS.compareVersions(a, b);
  }

  private static String read() {
    try (InputStream in =
        PlatformPlugin.class.getResourceAsStream("plugin-api-version.properties")) {
      if (in == null) {
        throw new IllegalStateException("plugin-api-version.properties missing from plugin-api");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
