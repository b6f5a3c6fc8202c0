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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The imports between the packages of one module's sources, read from the {@code .java} files as
 * text, so that an architecture test can fail the build on a new cycle or on an import that runs
 * back up to a top floor. Only packages under the base package count; imports of anything else
 * (the JDK, libraries, plugin-api) are left out.
 */
public final class PackageImports {

  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern IMPORT =
      Pattern.compile("(?m)^import\\s+(?:static\\s+)?([\\w.]+?)(?:\\.\\*)?\\s*;");

  private final String basePackage;

  /** Package to the packages it imports, each with the first file that does. */
  private final Map<String, Map<String, String>> imports;

  private PackageImports(String basePackage, Map<String, Map<String, String>> imports) {
    this.basePackage = basePackage;
    this.imports = imports;
  }

  /** Reads every {@code .java} file under {@code sourceRoot} whose package is under the base. */
  public static PackageImports read(Path sourceRoot, String basePackage) {
    Map<String, Map<String, String>> imports = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sourceRoot)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String text = Files.readString(file);
        Matcher declared = PACKAGE.matcher(text);
        if (!declared.find() || !within(declared.group(1), basePackage)) {
          continue;
        }
        String from = declared.group(1);
        Map<String, String> targets = imports.computeIfAbsent(from, p -> new TreeMap<>());
        Matcher imported = IMPORT.matcher(text);
        while (imported.find()) {
          String to = packageOf(imported.group(1));
          if (to != null && within(to, basePackage) && !to.equals(from)) {
            targets.putIfAbsent(to, sourceRoot.relativize(file).toString());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PackageImports(basePackage, imports);
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
