package io.streamspace.billing.store.bundle;

import java.util.Optional;

/**
 * A stored bundle's preview image, as the store's pages show it: read again through the same
 * bounded reader that inspected the bundle (a stored bundle passed it, but nothing read from an
 * archive is trusted twice by assumption), with a content type fixed by its checked type, never
 * by the archive.
 */
public record PreviewImage(String contentType, byte[] bytes) {

  /**
   * The image at {@code path} (the manifest's {@code preview}, normalized) in the bundle; empty
   * when there is no such file or it is not an image type the store accepts.
   */
  public static Optional<PreviewImage> of(byte[] bundle, String path) {
    FileTypes type = FileTypes.byName(path);
    if (type == null || !type.isImage()) {
      return Optional.empty();
    }
    return new ArchiveReader(BundleLimits.defaults(), new Findings())
        .read(bundle).stream()
            .filter(entry -> entry.path().equals(path))
            .findFirst()
            .map(entry -> new PreviewImage(contentType(type), entry.bytes()));
  }

  private static String contentType(FileTypes type) {
    return switch (type) {
      case SVG -> "image/svg+xml";
      case PNG -> "image/png";
      case JPEG -> "image/jpeg";
      default -> "image/webp";
    };
  }
}
