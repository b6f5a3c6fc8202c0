package io.streamspace.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The imports between the packages of one module's sources, read from the {@code .java} files as
 * text, so that an architecture test can fail the build on a new cycle (between packages, or
 * between top-level folders taken whole: {@link #byTopLevelFolder}), on an import that runs back
 * up to a top floor, on a floor importing beyond the floors it may stand on ({@link
 * #importsBeyond}), or on a library imported outside the one package meant to hold it ({@link
 * #importsOfLibraryOutside}). Only packages under the base package are nodes; imports of anything
 * else (the JDK, libraries, plugin-api) count for the library rule alone.
 */
public final class PackageImports {

  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern IMPORT =
      Pattern.compile("(?m)^import\\s+(?:static\\s+)?([\\w.]+?)(?:\\.\\*)?\\s*;");

  /** A name written in full in code ({@code com.stripe.StripeClient}), past the imports. */
  private static final Pattern QUALIFIED =
      Pattern.compile("\\b([a-z]\\w*(?:\\.[a-z]\\w*)+\\.[A-Z]\\w*)");

  /** Comments, text blocks, strings and characters: where a name is only words. */
  private static final Pattern NOT_CODE =
      Pattern.compile(
          "(?s)/\\*.*?\\*/|//[^\\n]*|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\])+'");

  /**
   * One source file: where it is (relative to the source root), its package, all it imports and
   * the names its code writes in full instead ({@code com.stripe.StripeClient}).
   */
  private record SourceFile(
      String path, String packageName, List<String> imported, List<String> qualified) {}

  private final String basePackage;

  /** Package to the packages it imports, each with the first file that does. */
  private final Map<String, Map<String, String>> imports;

  /** Every file read, for the rules about imports of libraries. */
  private final List<SourceFile> files;

  private PackageImports(
      String basePackage, Map<String, Map<String, String>> imports, List<SourceFile> files) {
    this.basePackage = basePackage;
    this.imports = imports;
    this.files = files;
  }

  /** Reads every {@code .java} file under {@code sourceRoot} whose package is under the base. */
  public static PackageImports read(Path sourceRoot, String basePackage) {
    List<SourceFile> files = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(sourceRoot)) {
      for (Path file : paths.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String text = Files.readString(file);
        Matcher declared = PACKAGE.matcher(text);
        if (!declared.find() || !within(declared.group(1), basePackage)) {
          continue;
        }
        List<String> imported = new ArrayList<>();
        Matcher named = IMPORT.matcher(text);
        while (named.find()) {
          imported.add(named.group(1));
        }
        files.add(
            new SourceFile(
                sourceRoot.relativize(file).toString(),
                declared.group(1),
                List.copyOf(imported),
                writtenInFull(text)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PackageImports(basePackage, between(files, basePackage, p -> p), files);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> both = new ArrayList<>(a);
    both.addAll(b);
    return both;
  }

  /** The names the code of {@code text} writes in full, past its package and import lines. */
  private static List<String> writtenInFull(String text) {
    String code = IMPORT.matcher(PACKAGE.matcher(text).replaceAll("")).replaceAll("");
    Matcher named = QUALIFIED.matcher(NOT_CODE.matcher(code).replaceAll(" "));
    List<String> names = new ArrayList<>();
    while (named.find()) {
      names.add(named.group(1));
    }
    return List.copyOf(names);
  }

  /**
   * The imports between packages of the base, each package first named by {@code node} (itself,
   * or the top-level folder it is in), an import within one node left out.
   */
  private static Map<String, Map<String, String>> between(
      List<SourceFile> files, String basePackage, UnaryOperator<String> node) {
    Map<String, Map<String, String>> imports = new TreeMap<>();
    for (SourceFile file : files) {
      String from = node.apply(file.packageName());
      Map<String, String> targets = imports.computeIfAbsent(from, p -> new TreeMap<>());
      for (String imported : file.imported()) {
        String to = packageOf(imported);
        if (to != null && within(to, basePackage) && !node.apply(to).equals(from)) {
          targets.putIfAbsent(node.apply(to), file.path());
        }
      }
    }
    return imports;
  }

  /**
   * The same sources with each top-level folder under the base taken whole, as one package named
   * by the folder ({@code a.b.store} for {@code a.b.store.payout} too; the base package stays
   * itself): its {@link #cycles} are the folders that import each other, directly or round a
   * loop, even where no two of their packages do.
   */
  public PackageImports byTopLevelFolder() {
    return new PackageImports(basePackage, between(files, basePackage, this::topLevel), files);
  }

  private String topLevel(String packageName) {
    if (packageName.equals(basePackage)) {
      return packageName;
    }
    String below = shortName(packageName);
    int dot = below.indexOf('.');
    return basePackage + "." + (dot < 0 ? below : below.substring(0, dot));
  }

  /**
   * Every import of a name under {@code library} (a package prefix outside the base, such as
   * {@code com.stripe}), or use of one written in full in code, from a file whose package is not
   * {@code allowed} or under it (relative to the base), as {@code "http -> com.stripe.StripeClient
   * (a/b/http/Routes.java)"}: what lets a library out of the one package meant to hold it.
   */
  public List<String> importsOfLibraryOutside(String library, String allowed) {
    List<String> outside = new ArrayList<>();
    for (SourceFile file : files) {
      String from = shortName(file.packageName());
      if (within(from, allowed)) {
        continue;
      }
      for (String named : concat(file.imported(), file.qualified())) {
        if (within(named, library)) {
          outside.add(from + " -> " + named + " (" + file.path() + ")");
        }
      }
    }
    return outside;
  }

  /**
   * Every import from {@code from} or a package under it into a package of the base that is
   * neither under {@code from} nor under one of {@code allowed} (names relative to the base), as
   * {@code "config -> store.share (a/b/config/Keys.java)"}: what a floor imports beyond the floors
   * it may stand on.
   */
  public List<String> importsBeyond(String from, Set<String> allowed) {
    List<String> beyond = new ArrayList<>();
    imports.forEach(
        (source, targets) -> {
          if (!within(shortName(source), from)) {
            return;
          }
          targets.forEach(
              (to, file) -> {
                String target = shortName(to);
                if (!within(target, from) && allowed.stream().noneMatch(a -> within(target, a))) {
                  beyond.add(shortName(source) + " -> " + target + " (" + file + ")");
                }
              });
        });
    return beyond;
  }

  /** The packages read, in name order. */
  public Set<String> packages() {
    Set<String> all = new TreeSet<>(imports.keySet());
    imports.values().forEach(targets -> all.addAll(targets.keySet()));
    return all;
  }

  /** The packages {@code from} imports. */
  public Set<String> importsOf(String from) {
    return imports.getOrDefault(from, Map.of()).keySet();
  }

  /**
   * Every set of packages that import each other, directly or round a loop (the strongly
   * connected components of more than one package), each named relative to the base package and
   * sorted, as {@code "config, quota"}. Empty when the packages form layers.
   */
  public List<String> cycles() {
    List<String> cycles = new ArrayList<>();
    for (Set<String> component : new Components().of(packages())) {
      if (component.size() > 1) {
        cycles.add(String.join(", ", component.stream().map(this::shortName).toList()));
      }
    }
    return cycles;
  }

  /**
   * Every import into one of {@code top} (package names relative to the base; {@code ""} is the
   * base package itself) from a package that is not one of them, as {@code "quota -> http
   * (quota/Quotas.java)"}: what runs back up from a lower floor.
   */
  public List<String> importsUpInto(Set<String> top) {
    List<String> up = new ArrayList<>();
    imports.forEach(
        (from, targets) -> {
          if (top.contains(shortName(from))) {
            return;
          }
          targets.forEach(
              (to, file) -> {
                if (top.contains(shortName(to))) {
                  up.add(shortName(from) + " -> " + shortName(to) + " (" + file + ")");
                }
              });
        });
    return up;
  }

  private String shortName(String packageName) {
    return packageName.equals(basePackage) ? "" : packageName.substring(basePackage.length() + 1);
  }

  private static boolean within(String packageName, String basePackage) {
    return packageName.equals(basePackage) || packageName.startsWith(basePackage + ".");
  }

  /** The package of an imported type or member: the name before its first capitalised part. */
  private static String packageOf(String imported) {
    String[] parts = imported.split("\\.");
    StringBuilder name = new StringBuilder();
    for (String part : parts) {
      if (!part.isEmpty() && Character.isUpperCase(part.charAt(0))) {
        return name.length() == 0 ? null : name.toString();
      }
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(part);
    }
    return name.toString();
  }

  /** Tarjan's strongly connected components over the import graph. */
  private final class Components {
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new TreeSet<>();
    private final List<Set<String>> found = new ArrayList<>();

    List<Set<String>> of(Set<String> nodes) {
      nodes.forEach(
          node -> {
            if (!index.containsKey(node)) {
              visit(node);
            }
          });
      return found;
    }

    private void visit(String node) {
      index.put(node, index.size());
      low.put(node, index.get(node));
      stack.push(node);
      onStack.add(node);
      for (String next : importsOf(node)) {
        if (!index.containsKey(next)) {
          visit(next);
          low.put(node, Math.min(low.get(node), low.get(next)));
        } else if (onStack.contains(next)) {
          low.put(node, Math.min(low.get(node), index.get(next)));
        }
      }
      if (low.get(node).equals(index.get(node))) {
        Set<String> component = new TreeSet<>();
        String member;
        do {
          member = stack.pop();
          onStack.remove(member);
          component.add(member);
        } while (!member.equals(node));
        found.add(component);
      }
    }
  }
}
