package io.streamspace.host.catalog;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PluginApiVersionTest {

  @Test
  void theHostsPluginApiVersionIsThePluginApiArtifactsAsItsBuildWroteIt() {
    String version = PluginApiVersion.current();

    assertTrue(version.matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), version);
  }

  @Test
  void theBillingPluginRequiresTheHostsPluginApiMinorVersion() throws Exception {
    Properties descriptor = new Properties();
    try (FileReader reader = new FileReader("../plugin.properties")) {
      descriptor.load(reader);
    }
    String requires = descriptor.getProperty("plugin.requires");

    assertTrue(PluginApiVersion.satisfies(PluginApiVersion.current(), requires));
    assertTrue(PluginApiVersion.satisfies("0.3.9", requires));
    assertFalse(PluginApiVersion.satisfies("0.4.0", requires));
    assertFalse(
        PluginApiVersion.satisfies("0.2.9", requires),
        "a 0.2 host lacks what 0.3 added (orgId, OrganizationEvent, Caller.memberships)");
  }
}
