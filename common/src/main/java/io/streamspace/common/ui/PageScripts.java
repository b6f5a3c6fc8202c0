package io.streamspace.common.ui;

/**
 * The scripts the host's and the billing plugin's pages share, written once: classpath resources
 * of this module that each side serves from its own copy, beside its pages' own scripts, which
 * import them as ES modules ({@code import { el } from './dom.js'}).
 */
public final class PageScripts {

  /** The name a page imports it by, in the folder of the page's own scripts. */
  public static final String DOM = "dom.js";

  /**
   * The DOM builder {@code el(tag, attributes, ...children)}: data only ever becomes text or an
   * attribute's value, never markup; event handler attributes and {@code style} are refused.
   */
  public static final String DOM_RESOURCE = "io/streamspace/common/ui/dom.js";

  private PageScripts() {}
}
