// The one DOM builder of the host's and the billing plugin's pages, an ES module each side
// serves from its own classpath (the host's plugins page as /admin/plugins/dom.js, the billing
// pages as /api/plugins/billing/ui/dom.js). It is what keeps data out of markup: data only ever
// becomes text (textContent, text nodes) or an attribute's value, never markup, and no event
// handler or style can be set through it.

/**
 * An element with attributes and children. 'class' and 'text' are shorthands (className,
 * textContent); an attribute null, undefined or false is left out, true is present and empty;
 * event handler attributes (on...) and 'style' are refused. Children may come in arrays; null
 * and undefined are skipped; a node is appended as it is, anything else as a text node.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (/^on/i.test(name) || name === 'style') {
      throw new Error('refused attribute ' + name);
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
