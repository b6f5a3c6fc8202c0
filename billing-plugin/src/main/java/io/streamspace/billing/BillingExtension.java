package io.streamspace.billing;

import io.streamspace.plugin.api.PlatformPlugin;
import org.pf4j.Extension;

/** The billing plugin as the host sees it. (Skeleton: filled in by the metering work.) */
@Extension(points = PlatformPlugin.class)
public class BillingExtension implements PlatformPlugin {

  @Override
  public String displayName() {
    return "Billing & Usage Tracking";
  }
}
