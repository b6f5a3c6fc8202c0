package io.streamspace.host.catalog;

import java.util.regex.Pattern;

/**
 * A repository or release URL as the host shows or stores it (logs, error messages, {@code
 * unreachable_repositories}, {@code host_plugins.package_url}): without the user info ({@code
 * user:token@}), query and fragment, where a repository's credentials travel (basic auth, signed
 * download links). The full URL is only ever used to fetch.
 */
final class ShownUrl {

  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");
  private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");
  private static final Pattern QUERY_AND_FRAGMENT = Pattern.compile("[?#].*$");

  private ShownUrl() {}

  /** The URL without credentials; a folder path (no scheme) as it is. */
  static String of(String url) {
    if (url == null || !SCHEME.matcher(url).matches()) {
      return url;
    }
    String withoutUser = USER_INFO.matcher(url).replaceFirst("$1");
    return QUERY_AND_FRAGMENT.matcher(withoutUser).replaceFirst("");
  }
}
