package io.streamspace.host.support;

import java.util.List;

/** What {@code --demo} prints when it installs the billing plugin from the catalog. */
public final class DemoConsole {
  private DemoConsole() {}

  /** The install's lines for this version, then the demo data's heading. */
  public static List<String> installedFromTheCatalog(String version) {
    return List.of(
        "Installing the billing plugin from the plugin catalog through the API:",
        "  GET /api/admin/plugins/catalog?q=billing: billing "
            + version
            + " (Billing & Usage Tracking), not installed",
        "  POST /api/admin/plugins/billing/install: 201, billing " + version + " disabled",
        "  POST /api/admin/plugins/billing/enable: 200, billing " + version + " started",
        "Demo data posted. Its story: docs/getting-started.md. The pages, each link signed in as"
            + " its user:");
  }
}
