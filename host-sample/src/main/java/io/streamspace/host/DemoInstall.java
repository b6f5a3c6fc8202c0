package io.streamspace.host;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.DemoApi.Answer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --demo}'s first step: installs the billing plugin from the plugin catalog through the
 * host's own HTTP API, as an admin would (search, install, enable), and says what it did. An
 * installed plugin is not installed again (a data folder kept from an earlier run): it is enabled
 * if needed, and one older than the repository's latest is left as it is, with the update's curl
 * line. Public for the benchmark module, which installs the plugin on its host the same way.
 */
public final class DemoInstall {

  /** The id of the plugin it installs. */
  public static final String PLUGIN = "billing";

  private final DemoApi api;
  private final String base;
  private final String adminToken;
  private final List<String> lines = new ArrayList<>();

  private DemoInstall(String base, String adminToken) {
    this.api = new DemoApi(base);
    this.base = base;
    this.adminToken = adminToken;
  }

  /** Installs and enables the billing plugin when needed; returns the console lines. */
  public static List<String> billing(String base, String adminToken) {
    DemoInstall install = new DemoInstall(base, adminToken);
    try {
      install.run();
    } catch (IOException e) {
      install.lines.add("  the host's API did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return install.lines;
  }

  private void run() throws IOException, InterruptedException {
    String search = "/api/admin/plugins/catalog?q=" + PLUGIN;
    JsonNode billing = null;
    Answer catalog = api.get(adminToken, search);
    for (JsonNode plugin : catalog.body().path("plugins")) {
      if (PLUGIN.equals(plugin.path("id").asText())) {
        billing = plugin;
      }
    }
    if (catalog.status() != 200 || billing == null) {
      lines.add(
          "The billing plugin is in no plugin repository (--plugin-repository): not installed. "
              + catalog.status()
              + " "
              + catalog.body());
      return;
    }
    String state = billing.path("state").asText();
    if (state.equals("not_installed")) {
      lines.add("Installing the billing plugin from the plugin catalog through the API:");
      lines.add(
          "  GET "
              + search
              + ": "
              + PLUGIN
              + " "
              + billing.path("latest_version").asText()
              + " ("
              + billing.path("name").asText()
              + "), not installed");
      Answer installed = step("/api/admin/plugins/" + PLUGIN + "/install");
      if (installed == null) {
        return;
      }
      state = installed.body().path("state").asText();
    } else {
      String version = billing.path("installed_version").asText(billing.path("version").asText());
      lines.add("The billing plugin " + version + " is installed already (" + state + ").");
      if (billing.path("update_available").asBoolean()) {
        lines.add(
            "  The repository has "
                + billing.path("latest_version").asText()
                + ", left for you to update to:");
        lines.add(
            Demo.curl(adminToken, base + "/api/admin/plugins/" + PLUGIN + "/update") + " -X POST");
      }
    }
    if (state.equals("disabled")) {
      step("/api/admin/plugins/" + PLUGIN + "/enable");
    }
  }

  /** One POST, with its outcome as a console line; null when it was refused. */
  private Answer step(String path) throws IOException, InterruptedException {
    Answer answer = api.post(adminToken, path);
    lines.add(
        "  POST "
            + path
            + ": "
            + answer.outcome()
            + (answer.ok()
                ? ", "
                    + PLUGIN
                    + " "
                    + answer.body().path("version").asText()
                    + " "
                    + answer.body().path("state").asText()
                : ""));
    return answer.ok() ? answer : null;
  }
}
