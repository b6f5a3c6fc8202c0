package io.streamspace.host.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** What the catalog reads from a PF4J plugin zip: its descriptor and its SHA-512. */
final class PluginZip {

  private PluginZip() {}

  /** The {@code plugin.properties} at the zip's root. */
  static Properties descriptor(Path zip) throws IOException {
    try (ZipFile file = new ZipFile(zip.toFile())) {
      ZipEntry entry = file.getEntry("plugin.properties");
      if (entry == null) {
        throw new IOException("no plugin.properties at the root of " + zip.getFileName());
      }
      Properties properties = new Properties();
      try (InputStream in = file.getInputStream(entry)) {
        properties.load(in);
      }
      return properties;
    }
  }

  /**
   * The first entry PF4J would write outside the plugin's folder when it unpacks the zip (a zip
   * slip): a name with a {@code ..} segment, an absolute one ({@code /etc/x}, {@code C:x}, a
   * backslash anywhere, read as a separator on some systems), or one with a NUL. PF4J refuses such
   * a zip only deep inside its loader, failing with a NullPointerException of its own; the
   * catalog refuses it first, in words.
   */
  static Optional<String> entryOutsideItsFolder(Path zip) throws IOException {
    try (ZipFile file = new ZipFile(zip.toFile())) {
      return file.stream().map(ZipEntry::getName).filter(PluginZip::leavesItsFolder).findFirst();
    }
  }

  private static boolean leavesItsFolder(String name) {
    return name.startsWith("/")
        || name.indexOf('\\') >= 0
        || name.indexOf('\0') >= 0
        || name.matches("^[A-Za-z]:.*")
        || Arrays.asList(name.split("/")).contains("..");
  }

  /** The file's SHA-512, lower-case hex, as {@code sha512sum} prints it. */
  static String sha512(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-512", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
