// The one DOM builder of the host's and the billing plugin's pages, an ES module each side
// serves from its own classpath (the host's plugins page as /admin/plugins/dom.js, the billing
// pages as /api/plugins/billing/ui/dom.js). It is what keeps data out of markup: data only ever
// becomes text (textContent, text nodes) or an attribute's value, never markup, and no event
// handler, style, inline document or script URL can be set through it.

// Attributes whose value is a URL the browser follows or loads.
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'poster', 'xlink:href']);

// A URL that can only fetch or show something: relative (no scheme before its first '/', '?' or
// '#'), http(s), a blob the page made, or an image's data. Never javascript: or an HTML data URL.
const SAFE_URL = /^(?:[^:/?#]*(?:[/?#]|$)|https?:|blob:|data:image\/)/i;

/**
 * An element with attributes and children. 'class' and 'text' are shorthands (className,
 * textContent); an attribute null, undefined or false is left out, true is present and empty;
 * event handler attributes (on...), 'style' and 'srcdoc' are refused, and so is a URL attribute
 * (href, src…) whose value is not a relative, http(s), blob or image data URL. Children may come
 * in arrays; null and undefined are skipped; a node is appended as it is, anything else as a
 * text node.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (/^on/i.test(name) || name === 'style' || name === 'srcdoc') {
      throw new Error('refused attribute ' + name);
    }
    if (URL_ATTRIBUTES.has(name) && !SAFE_URL.test(String(value))) {
      throw new Error('refused URL in ' + name);
    }
    if (name === 'text') {
      node.textContent = value;
    } else if (name === 'class') {
      node.className = value;
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}
