package io.streamspace.billing;

import org.pf4j.Plugin;

/**
 * The PF4J shell of the billing plugin. All behaviour lives in {@link BillingExtension}, which
 * the host finds through {@code META-INF/extensions.idx}.
 */
public class BillingPlugin extends Plugin {}
