package io.streamspace.common.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the relative links of Markdown pages that lead nowhere, so the docs cannot rot silently
 * (docs/contributing.md, "The docs checks").
 *
 * <p>A link is broken when the file or image it names does not exist, or when its {@code #anchor}
 * names no heading of its target page (GitHub's slugs) and no explicit {@code <a id>} or {@code
 * <a name>} there. External links (any scheme, {@code http:}, {@code https:}, {@code mailto:}…)
 * are never fetched, and links inside fenced code blocks, inline code and HTML comments are
 * ignored, as GitHub does not render them as links. Anchors are checked only in Markdown
 * targets: a link to {@code Foo.java#L10} checks that the file exists.
 *
 * <p>Plain text, no dependency: the pages are small, and a Markdown library would parse far more
 * than the links and headings asked for here.
 */
public final class MarkdownLinks {

  /** One link that leads nowhere: the page and line it is on, its target, and why. */
  public record Broken(String page, int line, String target, String problem) {
    @Override
    public String toString() {
      return page + ":" + line + ": (" + target + ") " + problem;
    }
  }

  /** What a check found: relative links and anchors checked, and those that lead nowhere. */
  public record Report(int links, int anchors, List<Broken> broken) {}

  // Link text may hold one level of brackets: [![badge](badge.svg)](page.md).
  private static final Pattern INLINE_LINK =
      Pattern.compile("(!?)\\[(?:[^\\[\\]]++|\\[[^\\[\\]]*+\\])*+\\]\\(");
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("(?m)^ {0,3}\\[([^\\]^][^\\]]*)\\]:[ \\t]*(<[^>\\n]*>|\\S+)");
  private static final Pattern HTML_LINK =
      Pattern.compile(
          "<(a|img)\\b[^>]*?\\s(?:href|src)\\s*=\\s*[\"']([^\"']*)[\"']", Pattern.CASE_INSENSITIVE);
  private static final Pattern HTML_ANCHOR =
      Pattern.compile(
          "<a\\b[^>]*?\\s(?:id|name)\\s*=\\s*[\"']([^\"']+)[\"']", Pattern.CASE_INSENSITIVE);
  private static final Pattern ATX_HEADING =
      Pattern.compile("^ {0,3}#{1,6}(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
  private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(?:=+|-+)[ \\t]*$");
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})(.*)$");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);

  private final Path root;
  private final Map<Path, Set<String>> anchorsByPage = new HashMap<>();

  private MarkdownLinks(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * Checks every relative link and anchor of {@code pages}. Links starting with {@code /} are
   * read from {@code root}, as GitHub reads them from the repository's root; pages are named in
   * the report relative to it.
   */
  public static Report check(Path root, List<Path> pages) {
    MarkdownLinks checker = new MarkdownLinks(root);
    int links = 0;
    int anchors = 0;
    List<Broken> broken = new ArrayList<>();
    for (Path page : pages) {
      Path file = checker.root.resolve(page).normalize();
      String text = masked(read(file), true);
      int[] lineStarts = lineStarts(text);
      for (Link link : links(text)) {
        if (SCHEME.matcher(link.target).find() || link.target.startsWith("//")) {
          continue;
        }
        links++;
        if (link.target.contains("#")) {
          anchors++;
        }
        String problem = checker.problem(file, link);
        if (problem != null) {
          int line = lineOf(lineStarts, link.offset);
          broken.add(new Broken(checker.shown(file), line, link.target, problem));
        }
      }
    }
    return new Report(links, anchors, List.copyOf(broken));
  }

  /** The Markdown pages under {@code folder}, each a path relative to {@code root}, sorted. */
  public static List<Path> pagesUnder(Path root, Path folder) {
    Path absoluteRoot = root.toAbsolutePath().normalize();
    try (var files = Files.walk(absoluteRoot.resolve(folder))) {
      return files
          .filter(Files::isRegularFile)
          .filter(file -> file.getFileName().toString().endsWith(".md"))
          .map(file -> absoluteRoot.relativize(file.toAbsolutePath().normalize()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The anchors a page offers: each heading's GitHub slug (duplicates numbered {@code -1},
   * {@code -2}…) and each explicit {@code <a id="…">} or {@code <a name="…">}.
   */
  public static Set<String> anchorsOf(String markdown) {
    // Headings keep their code spans (`code` is part of a slug); explicit anchors do not.
    String text = masked(markdown, false);
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> repeats = new HashMap<>();
    String[] lines = text.split("\n", -1);
    String previous = "";
    for (String line : lines) {
      String heading = null;
      Matcher atx = ATX_HEADING.matcher(line);
      if (atx.matches()) {
        heading = atx.group(1) == null ? "" : atx.group(1);
      } else if (SETEXT_UNDERLINE.matcher(line).matches()
          && !previous.isBlank()
          && !ATX_HEADING.matcher(previous).matches()) {
        heading = previous.strip();
      }
      if (heading != null) {
        String base = slug(heading);
        String slug = base;
        int repeat = repeats.getOrDefault(base, 0);
        while (anchors.contains(slug)) {
          repeat++;
          slug = base + "-" + repeat;
        }
        repeats.put(base, repeat);
        anchors.add(slug);
        line = "";
      }
      previous = line;
    }
    Matcher explicit = HTML_ANCHOR.matcher(masked(markdown, true));
    while (explicit.find()) {
      anchors.add(explicit.group(1));
    }
    return anchors;
  }

  /**
   * GitHub's slug of a heading's text: its text as rendered (code, emphasis and link syntax
   * gone), lower case, every character but letters, digits, {@code -}, {@code _} and spaces
   * removed, each space then a {@code -}.
   */
  public static String slug(String heading) {
    String rendered =
        heading
            .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
            .replaceAll("<[^>]+>", "")
            .replace("`", "")
            .replace("*", "")
            .strip();
    return rendered
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc}\\- ]", "")
        .replace(' ', '-');
  }

  private String problem(Path page, Link link) {
    int hash = link.target.indexOf('#');
    String path = hash < 0 ? link.target : link.target.substring(0, hash);
    String anchor = hash < 0 ? null : decoded(link.target.substring(hash + 1));
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    Path target = page;
    if (!path.isEmpty()) {
      String decoded = decoded(path);
      target =
          (decoded.startsWith("/")
                  ? root.resolve(decoded.substring(1))
                  : page.resolveSibling(decoded))
              .normalize();
      if (!Files.exists(target)) {
        return (link.image ? "no image " : "no file ") + shown(target);
      }
    }
    if (anchor == null || anchor.isEmpty() || !target.toString().endsWith(".md")) {
      return null;
    }
    Set<String> anchors = anchorsByPage.computeIfAbsent(target, file -> anchorsOf(read(file)));
    return anchors.contains(anchor) ? null : "no anchor #" + anchor + " in " + shown(target);
  }

  private record Link(int offset, String target, boolean image) {}

  private static List<Link> links(String text) {
    List<Link> links = new ArrayList<>();
    Matcher inline = INLINE_LINK.matcher(text);
    int from = 0;
    // From just inside each match's text, so an image inside a link's text is found too; an
    // image's own [ is stepped over, so it is not found a second time as a link.
    while (from < text.length() && inline.find(from)) {
      boolean image = !inline.group(1).isEmpty();
      String target = destination(text, inline.end());
      if (target != null) {
        links.add(new Link(inline.start(), target, image));
      }
      from = inline.start() + (image ? 2 : 1);
    }
    Matcher definition = REFERENCE_DEFINITION.matcher(text);
    while (definition.find()) {
      links.add(new Link(definition.start(2), unbracketed(definition.group(2)), false));
    }
    Matcher html = HTML_LINK.matcher(text);
    while (html.find()) {
      links.add(new Link(html.start(), html.group(2), html.group(1).equalsIgnoreCase("img")));
    }
    links.sort((a, b) -> Integer.compare(a.offset, b.offset));
    return links;
  }

  /** The destination of an inline link whose {@code (} ends just before {@code start}. */
  private static String destination(String text, int start) {
    int at = start;
    while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
      at++;
    }
    if (at < text.length() && text.charAt(at) == '<') {
      int close = text.indexOf('>', at);
      return close < 0 ? null : text.substring(at + 1, close);
    }
    int depth = 0;
    int end = at;
    while (end < text.length()) {
      char c = text.charAt(end);
      if (Character.isWhitespace(c) || (c == ')' && depth == 0)) {
        break;
      }
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      end++;
    }
    return end == at ? null : text.substring(at, end);
  }

  private static String unbracketed(String target) {
    return target.startsWith("<") ? target.substring(1, target.length() - 1) : target;
  }

  /**
   * The page with what GitHub does not render as links blanked out, lines kept: fenced code
   * blocks, HTML comments and, when asked, inline code spans.
   */
  private static String masked(String markdown, boolean codeSpans) {
    char[] text = markdown.replace("\r\n", "\n").toCharArray();
    Matcher comment = COMMENT.matcher(new String(text));
    while (comment.find()) {
      blank(text, comment.start(), comment.end());
    }
    String[] lines = new String(text).split("\n", -1);
    int offset = 0;
    String fence = null;
    for (String line : lines) {
      Matcher opening = FENCE.matcher(line);
      if (fence == null && opening.matches()) {
        fence = opening.group(1);
        blank(text, offset, offset + line.length());
      } else if (fence != null) {
        String stripped = line.strip();
        char fenceChar = fence.charAt(0);
        if (stripped.startsWith(fence) && stripped.chars().allMatch(c -> c == fenceChar)) {
          fence = null;
        }
        blank(text, offset, offset + line.length());
      }
      offset += line.length() + 1;
    }
    if (codeSpans) {
      blankCodeSpans(text);
    }
    return new String(text);
  }

  /** Blanks inline code: a run of backticks up to the next run as long, within a paragraph. */
  private static void blankCodeSpans(char[] text) {
    int at = 0;
    while (at < text.length) {
      if (text[at] != '`') {
        at++;
        continue;
      }
      int run = runOfBackticks(text, at);
      int close = at + run;
      int end = -1;
      while (close < text.length && !paragraphEndsAt(text, close)) {
        if (text[close] == '`') {
          int closing = runOfBackticks(text, close);
          if (closing == run) {
            end = close + closing;
            break;
          }
          close += closing;
        } else {
          close++;
        }
      }
      if (end < 0) {
        at += run; // no closing run: the backticks are plain text
      } else {
        blank(text, at, end);
        at = end;
      }
    }
  }

  private static int runOfBackticks(char[] text, int at) {
    int end = at;
    while (end < text.length && text[end] == '`') {
      end++;
    }
    return end - at;
  }

  private static boolean paragraphEndsAt(char[] text, int at) {
    if (text[at] != '\n') {
      return false;
    }
    int next = at + 1;
    while (next < text.length && (text[next] == ' ' || text[next] == '\t')) {
      next++;
    }
    return next >= text.length || text[next] == '\n';
  }

  private static void blank(char[] text, int from, int to) {
    for (int i = from; i < to; i++) {
      if (text[i] != '\n') {
        text[i] = ' ';
      }
    }
  }

  private static int[] lineStarts(String text) {
    int[] starts = new int[text.length() + 1];
    int count = 0;
    starts[count++] = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts[count++] = i + 1;
      }
    }
    return Arrays.copyOf(starts, count);
  }

  private static int lineOf(int[] lineStarts, int offset) {
    int found = Arrays.binarySearch(lineStarts, offset);
    return found >= 0 ? found + 1 : -found - 1;
  }

  private static String decoded(String part) {
    try {
      return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return part; // a stray % is read as itself
    }
  }

  private String shown(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Path shown = absolute.startsWith(root) ? root.relativize(absolute) : absolute;
    return shown.toString().replace('\\', '/');
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
