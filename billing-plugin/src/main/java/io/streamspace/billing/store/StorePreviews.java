package io.streamspace.billing.store;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.store.bundle.PreviewImage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A version's preview image, the image its manifest names, read from its stored bundle: what the
 * catalog shows (a listed item's latest approved version; nothing rejected, waiting or delisted),
 * and, for the platform admin's review, the version waiting for it.
 */
public final class StorePreviews {

  // the version the catalog lists: latest approved (versions only grow), item not delisted
  private static final NamedSql LISTED_BUNDLE =
      NamedSql.of(
          """
          SELECT v.manifest ->> 'preview', v.bundle
          FROM billing_store_items i JOIN billing_store_item_versions v ON v.item_id = i.id
          WHERE i.id = :id AND i.delisted_at IS NULL AND v.status = 'approved'
          ORDER BY v.id DESC LIMIT 1""");

  // at most one version of an item waits for review (a new one is refused meanwhile)
  private static final NamedSql PENDING_BUNDLE =
      NamedSql.of(
          """
          SELECT manifest ->> 'preview', bundle FROM billing_store_item_versions
          WHERE item_id = :id AND status = 'pending_review'""");

  private final DataSource dataSource;

  public StorePreviews(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The listed item's preview image; empty when not listed or its bundle has none. */
  public Optional<PreviewImage> listed(long itemId) throws SQLException {
    return image(LISTED_BUNDLE.bind("id", itemId));
  }

  /** The preview image of the item's version waiting for review; empty when none or no image. */
  public Optional<PreviewImage> pending(long itemId) throws SQLException {
    return image(PENDING_BUNDLE.bind("id", itemId));
  }

  private Optional<PreviewImage> image(NamedSql.Binding version) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = version.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next() || rs.getString(1) == null) {
        return Optional.empty();
      }
      return PreviewImage.of(rs.getBytes(2), rs.getString(1));
    }
  }
}
