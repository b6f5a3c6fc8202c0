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
 * The preview image of what the catalog shows: the bundle of a listed item's latest approved
 * version, the image its manifest names. Nothing of a version waiting for review, rejected, or
 * of a delisted item.
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

  private final DataSource dataSource;

  public StorePreviews(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The listed item's preview image; empty when not listed or its bundle has none. */
  public Optional<PreviewImage> listed(long itemId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = LISTED_BUNDLE.bind("id", itemId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next() || rs.getString(1) == null) {
        return Optional.empty();
      }
      return PreviewImage.of(rs.getBytes(2), rs.getString(1));
    }
  }
}
