package io.streamspace.billing.store.bundle;

import java.io.ByteArrayInputStream;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.ProcessingInstruction;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

/**
 * An SVG image, parsed as XML with no DOCTYPE allowed (so no entity, no external entity, no
 * billion laughs) and judged element by element:
 *
 * <ul>
 *   <li>{@code script}: a {@code script}, {@code foreignObject} (it embeds HTML), {@code
 *       iframe}, {@code embed}, {@code object}, {@code handler} or {@code listener} element; an
 *       {@code on*} attribute; a {@code javascript:} or {@code vbscript:} anywhere in an
 *       attribute value (so {@code <set to="javascript:...">} too);
 *   <li>{@code external_url}: an {@code href} or {@code src} (any namespace) other than {@code
 *       #id}; an {@code xml-stylesheet} instruction; a {@code url(...)} other than {@code #id} in
 *       a {@code style} element or attribute, or in any attribute;
 *   <li>the CSS of {@code style} elements and attributes goes through the stylesheet safety rules;
 *   <li>{@code image_dimensions}: the root's {@code width}/{@code height} (plain or {@code px})
 *       or else its {@code viewBox}, bounded; none of them is a violation;
 *   <li>{@code file_type}: not well-formed XML, a DOCTYPE, a root other than {@code svg}, another
 *       processing instruction.
 * </ul>
 */
final class SvgInspector {

  private static final Set<String> SCRIPT_ELEMENTS =
      Set.of("script", "foreignobject", "iframe", "embed", "object", "handler", "listener");
  private static final Pattern LENGTH = Pattern.compile("\\s*([0-9]*\\.?[0-9]+)\\s*(px)?\\s*");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?");

  /** Longer attribute numbers are refused unread: the patterns below backtrack on long input. */
  private static final int MAX_NUMBER_LENGTH = 32;

  private final String file;
  private final BundleLimits limits;
  private final Findings findings;

  SvgInspector(String file, BundleLimits limits, Findings findings) {
    this.file = file;
    this.limits = limits;
    this.findings = findings;
  }

  void inspect(byte[] bytes) {
    Document document;
    try {
      document = parser().parse(new ByteArrayInputStream(bytes));
    } catch (Exception e) {
      findings.add(
          Rules.FILE_TYPE,
          file,
          "not a well-formed SVG without DOCTYPE: "
              + ZipPaths.printable(String.valueOf(e.getMessage())));
      return;
    }
    Element root = document.getDocumentElement();
    if (!"svg".equals(localName(root))) {
      findings.add(Rules.FILE_TYPE, file, "the root element is not <svg>");
      return;
    }
    for (Node child = document.getFirstChild(); child != null; child = child.getNextSibling()) {
      instruction(child);
    }
    walk(root);
    dimensions(root);
  }

  private void walk(Element element) {
    String name = localName(element).toLowerCase(Locale.ROOT);
    if (SCRIPT_ELEMENTS.contains(name)) {
      findings.add(Rules.SCRIPT, file, "a <" + localName(element) + "> element");
    }
    NamedNodeMap attributes = element.getAttributes();
    for (int i = 0; i < attributes.getLength(); i++) {
      attribute((Attr) attributes.item(i));
    }
    if (name.equals("style")) {
      css(element.getTextContent());
    }
    for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element childElement) {
        walk(childElement);
      } else {
        instruction(child);
      }
    }
  }

  private void attribute(Attr attribute) {
    String name = localName(attribute).toLowerCase(Locale.ROOT);
    String value = attribute.getValue();
    String stripped = References.strip(value).toLowerCase(Locale.ROOT);
    if (name.startsWith("on")) {
      findings.add(Rules.SCRIPT, file, "an event handler attribute '" + attribute.getName() + "'");
    } else if (stripped.contains("javascript:") || stripped.contains("vbscript:")) {
      findings.add(
          Rules.SCRIPT, file, "a script URL in the attribute '" + attribute.getName() + "'");
    } else if (name.equals("href") || name.equals("src")) {
      References.check(value, file, true, Set.of(), findings);
    } else if (name.equals("style") || stripped.contains("url(")) {
      css(value);
    }
  }

  private void css(String text) {
    CssTokenizer.Result tokens = CssTokenizer.tokenize(text);
    CssChecks.safety(text, tokens.tokens(), file, true, Set.of(), findings);
  }

  private void instruction(Node node) {
    if (node instanceof ProcessingInstruction instruction) {
      if (instruction.getTarget().equalsIgnoreCase("xml-stylesheet")) {
        findings.add(Rules.EXTERNAL_URL, file, "an xml-stylesheet instruction loads a stylesheet");
      } else {
        findings.add(
            Rules.FILE_TYPE, file, "a processing instruction <?" + instruction.getTarget() + "?>");
      }
    }
  }

  private void dimensions(Element root) {
    Double width = length(root.getAttribute("width"));
    Double height = length(root.getAttribute("height"));
    if (width == null || height == null) {
      String[] box = root.getAttribute("viewBox").trim().split("[\\s,]+");
      if (box.length == 4 && isNumber(box[2]) && isNumber(box[3])) {
        width = width != null ? width : Double.valueOf(box[2]);
        height = height != null ? height : Double.valueOf(box[3]);
      }
    }
    if (width == null || height == null) {
      findings.add(
          Rules.IMAGE_DIMENSIONS,
          file,
          "no size: give the <svg> a width and height (plain or px) or a viewBox");
    } else if (!(width > 0 && height > 0)
        || width > limits.maxImageWidth()
        || height > limits.maxImageHeight()) {
      findings.add(
          Rules.IMAGE_DIMENSIONS,
          file,
          "an SVG of "
              + width
              + " × "
              + height
              + ", beyond "
              + limits.maxImageWidth()
              + " × "
              + limits.maxImageHeight());
    }
  }

  private static Double length(String attribute) {
    if (attribute.length() > MAX_NUMBER_LENGTH) {
      return null; // a number that long is no size, and it is never handed to a regex
    }
    Matcher matcher = LENGTH.matcher(attribute);
    return matcher.matches() ? Double.valueOf(matcher.group(1)) : null;
  }

  private static boolean isNumber(String text) {
    return text.length() <= MAX_NUMBER_LENGTH && NUMBER.matcher(text).matches();
  }

  private static String localName(Node node) {
    return node.getLocalName() != null ? node.getLocalName() : node.getNodeName();
  }

  private static DocumentBuilder parser() throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
    factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    factory.setXIncludeAware(false);
    factory.setExpandEntityReferences(false);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    DocumentBuilder builder = factory.newDocumentBuilder();
    builder.setErrorHandler(
        new ErrorHandler() {
          // the default handler prints to stderr; an upload's errors are the report's alone
          @Override
          public void warning(SAXParseException e) {}

          @Override
          public void error(SAXParseException e) throws SAXParseException {
            throw e;
          }

          @Override
          public void fatalError(SAXParseException e) throws SAXParseException {
            throw e;
          }
        });
    return builder;
  }
}
