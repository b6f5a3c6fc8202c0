package io.streamspace.host.catalog;

/**
 * Why a release could not be fetched, in words an admin can act on; {@link #code()} is the error
 * code the HTTP API answers with.
 */
public final class ReleaseRefused extends Exception {

  /** The reasons, each an error code of the API. */
  public enum Reason {
    UNKNOWN_PLUGIN("unknown_plugin"),
    UNKNOWN_VERSION("unknown_version"),
    CHECKSUM_MISMATCH("checksum_mismatch"),
    INCOMPATIBLE("incompatible_plugin_api"),
    /** The zip would unpack outside its folder (a zip slip): no host could install it safely. */
    INVALID_PACKAGE("invalid_plugin_package"),
    UNREACHABLE("repository_unreachable");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private final Reason reason;

  public ReleaseRefused(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ReleaseRefused(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public String code() {
    return reason.code();
  }
}
