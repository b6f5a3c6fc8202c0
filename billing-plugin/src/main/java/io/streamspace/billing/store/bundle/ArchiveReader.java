package io.streamspace.billing.store.bundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads a bundle's entries one by one from their local headers, trusting none of the sizes the
 * archive states: every entry is inflated through one bounded loop that counts the bytes it gets
 * and the compressed bytes it consumed, and stops the whole archive as a zip bomb as soon as the
 * entry's ratio or the bundle's inflated total goes past its budget. An entry over its type's
 * budget is counted to its end (within those bounds) but never held beyond the budget.
 */
final class ArchiveReader {

  /** An entry read whole, under its normalized path. */
  record Entry(String path, byte[] bytes) {}

  private static final int CHUNK = 8192;

  private final BundleLimits limits;
  private final Findings findings;
  private final java.util.Set<String> paths = new java.util.LinkedHashSet<>();

  ArchiveReader(BundleLimits limits, Findings findings) {
    this.limits = limits;
    this.findings = findings;
  }

  /** The entries whose path was accepted and that fit their budget, in the archive's order. */
  List<Entry> read(byte[] zip) {
    if (zip.length > limits.maxCompressedBytes()) {
      findings.add(
          Rules.SIZE,
          null,
          "the bundle is "
              + zip.length
              + " bytes, over the budget of "
              + limits.maxCompressedBytes()
              + " bytes compressed");
    }
    List<Entry> entries = new ArrayList<>();
    List<String> localNames = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    Counting counting = new Counting(new ByteArrayInputStream(zip));
    long total = 0;
    try (ZipInputStream in = new ZipInputStream(counting, StandardCharsets.UTF_8)) {
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        String name = entry.getName();
        localNames.add(name);
        if (localNames.size() > limits.maxEntries()) {
          findings.add(
              Rules.ZIP_PATH,
              null,
              "more than " + limits.maxEntries() + " entries: reading stopped there");
          return entries;
        }
        String problem = ZipPaths.problem(name, limits);
        String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        boolean keep = problem == null && !entry.isDirectory();
        if (problem != null) {
          findings.add(Rules.ZIP_PATH, ZipPaths.printable(name), problem);
        } else {
          String earlier = seen.putIfAbsent(ZipPaths.collisionKey(path), path);
          if (earlier != null) {
            findings.add(
                Rules.ZIP_PATH,
                path,
                "the same file as '" + earlier + "' once normalized (case and Unicode form)");
            keep = false;
          } else if (!entry.isDirectory()) {
            paths.add(path);
          }
        }
        long budget = FileTypes.budget(path, limits);
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long startCompressed = counting.count;
        long inflated = 0;
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = in.read(chunk)) > 0) {
          inflated += n;
          total += n;
          long compressed = Math.max(1, counting.count - startCompressed);
          if (inflated >= limits.ratioCheckFromBytes()
              && inflated > compressed * limits.maxCompressionRatio()) {
            findings.add(
                Rules.ZIP_BOMB,
                keep ? path : ZipPaths.printable(name),
                "inflates more than "
                    + limits.maxCompressionRatio()
                    + ":1 ("
                    + inflated
                    + " bytes from "
                    + compressed
                    + "): reading stopped after "
                    + inflated
                    + " bytes");
            return entries;
          }
          if (total > limits.maxUncompressedBytes()) {
            findings.add(
                Rules.ZIP_BOMB,
                keep ? path : ZipPaths.printable(name),
                "the bundle inflates to more than "
                    + limits.maxUncompressedBytes()
                    + " bytes: reading stopped after "
                    + total
                    + " bytes");
            return entries;
          }
          if (keep && inflated <= budget) {
            kept.write(chunk, 0, n);
          }
        }
        if (!keep) {
          continue;
        }
        if (inflated > budget) {
          findings.add(
              Rules.SIZE,
              path,
              inflated
                  + " bytes, over the budget of "
                  + budget
                  + " bytes for "
                  + FileTypes.describe(path));
          continue;
        }
        entries.add(new Entry(path, kept.toByteArray()));
      }
    } catch (IOException | RuntimeException e) {
      // ZipException (corrupt, encrypted, wrong sizes), IllegalArgumentException (a name that is
      // not UTF-8): the archive cannot be read as a whole, so nothing in it is trusted further
      findings.add(Rules.ARCHIVE, null, "not a readable zip archive: " + e.getMessage());
      return List.of();
    }
    if (localNames.isEmpty()) {
      findings.add(Rules.ARCHIVE, null, "not a zip archive, or an empty one");
    } else if (!localNames.equals(CentralDirectory.names(zip))) {
      // the entries read here and the directory another tool would extract by must agree, or
      // what is approved would not be what is served
      findings.add(
          Rules.ARCHIVE,
          null,
          "the archive's central directory lists other entries than the archive holds");
    }
    return entries;
  }

  /**
   * Every file path the archive holds under an accepted name, read whole or not (over its
   * budget): a reference to one of them is not reported again, the file's own violation says it.
   */
  java.util.Set<String> paths() {
    return paths;
  }

  /** Counts the compressed bytes the zip reader has consumed. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }
}
