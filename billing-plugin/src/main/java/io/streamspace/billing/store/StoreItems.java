package io.streamspace.billing.store;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.store.bundle.Manifest;
import io.streamspace.billing.store.bundle.SaleModel;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The store's items and their versions: a creator's submissions, the admin's reviews and
 * delistings, and the catalog. Each change takes its item's row lock first, so two submissions
 * of one item, or a review and a delisting, take turns; a review or delisting writes its audit
 * entry in its transaction (a price put on sale decides money).
 */
public final class StoreItems {

  static final Currency USD = Currency.getInstance("USD");
  static final Currency VND = Currency.getInstance("VND");

  private static final String COLUMNS =
      """
      i.id, i.creator_id, i.name, v.id, v.version, v.status, v.price_usd, v.price_vnd,
      v.sale_kind, v.sale_days, v.bundle_sha256, v.submitted_at, v.reviewed_at, v.reviewed_by,
      v.reject_reason, i.delisted_at, i.delist_reason""";

  private static final String FROM =
      " FROM billing_store_items i JOIN billing_store_item_versions v ON v.item_id = i.id ";

  private static final NamedSql OPEN_ITEM =
      NamedSql.of(
          """
          INSERT INTO billing_store_items (creator_id, name, created_at)
          VALUES (:creator_id, :name, :at)
          ON CONFLICT (creator_id, name) DO NOTHING""");

  private static final NamedSql LOCK_ITEM_NAMED =
      NamedSql.of(
          """
          SELECT id, delisted_at FROM billing_store_items
          WHERE creator_id = :creator_id AND name = :name FOR UPDATE""");

  private static final NamedSql LOCK_ITEM =
      NamedSql.of("SELECT delisted_at FROM billing_store_items WHERE id = :id FOR UPDATE");

  private static final NamedSql VERSIONS =
      NamedSql.of("SELECT version, status FROM billing_store_item_versions WHERE item_id = :id");

  private static final NamedSql ADD_VERSION =
      NamedSql.of(
          """
          INSERT INTO billing_store_item_versions (item_id, version, status, price_usd, price_vnd,
              sale_kind, sale_days, manifest, bundle, bundle_sha256, submitted_at)
          VALUES (:item_id, :version, 'pending_review', :price_usd, :price_vnd, :sale_kind,
                  :sale_days, :manifest::jsonb, :bundle, :sha256, :at)
          RETURNING id""");

  private static final NamedSql VERSION =
      NamedSql.of("SELECT " + COLUMNS + FROM + "WHERE v.id = :version_id");

  private static final NamedSql PENDING =
      NamedSql.of("SELECT " + COLUMNS + FROM + "WHERE i.id = :id AND v.status = 'pending_review'");

  private static final NamedSql REVIEW =
      NamedSql.of(
          """
          UPDATE billing_store_item_versions
          SET status = :status, reviewed_at = :at, reviewed_by = :by, reject_reason = :reason
          WHERE id = :version_id""");

  private static final NamedSql DELIST =
      NamedSql.of(
          """
          UPDATE billing_store_items SET delisted_at = :at, delist_reason = :reason
          WHERE id = :id""");

  // each listed item at its latest approved version (versions only grow, so the latest id)
  private static final NamedSql CATALOG =
      NamedSql.of(
          """
          SELECT * FROM (
            SELECT DISTINCT ON (i.id) %s %s
            WHERE i.delisted_at IS NULL AND v.status = 'approved'
            ORDER BY i.id, v.id DESC) listed
          ORDER BY 3, 1 LIMIT :limit OFFSET :offset"""
              .formatted(COLUMNS, FROM));

  private static final NamedSql LATEST =
      NamedSql.of("SELECT " + COLUMNS + FROM + "WHERE i.id = :id ORDER BY v.id DESC LIMIT 1");

  private static final NamedSql OF_CREATOR =
      NamedSql.of(
          "SELECT " + COLUMNS + FROM + "WHERE i.creator_id = :creator_id ORDER BY i.id, v.id DESC");

  private static final NamedSql QUEUE =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + FROM
              + "WHERE v.status = 'pending_review' ORDER BY v.submitted_at, v.id"
              + " LIMIT :limit OFFSET :offset");

  private final DataSource dataSource;

  public StoreItems(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Stores a validated bundle as a new version of the creator's item of that name (the item is
   * opened by its first submission), waiting for review.
   *
   * @throws StoreRefusal {@code item_delisted}, {@code review_pending} (a version of the item
   *     waits for review), {@code version_exists} or {@code version_not_newer}
   */
  public StoreItem submit(
      String creatorId, Manifest manifest, byte[] bundle, String sha256, Instant at)
      throws SQLException, StoreRefusal {
    SemanticVersion version = SemanticVersion.parse(manifest.version());
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          OPEN_ITEM
              .bind("creator_id", creatorId)
              .bind("name", manifest.name())
              .bind("at", at)
              .update(connection);
          long itemId;
          try (PreparedStatement statement =
                  LOCK_ITEM_NAMED
                      .bind("creator_id", creatorId)
                      .bind("name", manifest.name())
                      .prepare(connection);
              ResultSet rs = statement.executeQuery()) {
            rs.next();
            itemId = rs.getLong(1);
            if (rs.getTimestamp(2) != null) {
              throw new StoreRefusal(
                  "item_delisted", manifest.name() + " was delisted: it takes no new version");
            }
          }
          refuseUnlessNewer(connection, itemId, manifest.name(), version);
          long versionId;
          try (PreparedStatement statement =
                  ADD_VERSION
                      .bind("item_id", itemId)
                      .bind("version", manifest.version())
                      .bind("price_usd", manifest.price().get(USD))
                      .bind("price_vnd", manifest.price().get(VND))
                      .bind("sale_kind", saleKind(manifest.sale()))
                      .bind(
                          "sale_days",
                          manifest.sale() instanceof SaleModel.TimeLimited limited
                              ? limited.days()
                              : null)
                      .bind("manifest", JsonMapper.write(manifest))
                      .bind("bundle", bundle)
                      .bind("sha256", sha256)
                      .bind("at", at)
                      .prepare(connection);
              ResultSet rs = statement.executeQuery()) {
            rs.next();
            versionId = rs.getLong(1);
          }
          return version(connection, versionId);
        });
  }

  /** The sale model as stored. */
  static String saleKind(SaleModel sale) {
    if (sale instanceof SaleModel.TimeLimited) {
      return "time_limited";
    }
    return sale instanceof SaleModel.Free ? "free" : "one_time";
  }

  private static void refuseUnlessNewer(
      Connection connection, long itemId, String name, SemanticVersion version)
      throws SQLException, StoreRefusal {
    try (PreparedStatement statement = VERSIONS.bind("id", itemId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        SemanticVersion stored = SemanticVersion.parse(rs.getString(1));
        if (StoreItem.PENDING_REVIEW.equals(rs.getString(2))) {
          throw new StoreRefusal(
              "review_pending",
              name + " " + rs.getString(1) + " waits for review: submit after it is reviewed");
        }
        if (stored.compareTo(version) == 0) {
          throw new StoreRefusal(
              "version_exists", name + " " + rs.getString(1) + " was submitted already");
        }
        if (stored.compareTo(version) > 0) {
          throw new StoreRefusal(
              "version_not_newer",
              "a new version must be newer than " + rs.getString(1) + ", the item's latest");
        }
      }
    }
  }

  /**
   * Approves the item's version waiting for review, or rejects it for a reason (null to
   * approve); writes {@code store_item.approved} or {@code store_item.rejected}.
   *
   * @throws StoreRefusal {@code nothing_to_review}; {@code item_delisted} to approve a delisted
   *     item's version
   */
  public Optional<StoreItem> review(long itemId, String rejectReason, Cause cause, Instant at)
      throws SQLException, StoreRefusal {
    return changeLocked(
        itemId,
        (connection, locked) -> {
          StoreItem pending =
              one(connection, PENDING.bind("id", itemId))
                  .orElseThrow(
                      () ->
                          new StoreRefusal(
                              "nothing_to_review", "item " + itemId + " has no version to review"));
          if (rejectReason == null && locked.delisted()) {
            throw new StoreRefusal(
                "item_delisted", "item " + itemId + " is delisted: its version cannot be approved");
          }
          String status = rejectReason == null ? StoreItem.APPROVED : StoreItem.REJECTED;
          REVIEW
              .bind("status", status)
              .bind("at", at)
              .bind("by", cause.actor().id())
              .bind("reason", rejectReason)
              .bind("version_id", pending.versionId())
              .update(connection);
          StoreItem reviewed = version(connection, pending.versionId());
          AuditTrail.record(
              connection,
              new AuditEntry(
                  at,
                  cause,
                  null,
                  rejectReason == null
                      ? AuditKinds.STORE_ITEM_APPROVED
                      : AuditKinds.STORE_ITEM_REJECTED,
                  subject(itemId),
                  pending,
                  reviewed));
          return reviewed;
        });
  }

  /**
   * Takes the item off the catalog for a reason; writes {@code store_item.delisted}.
   *
   * @return the item at its latest version; empty when there is no such item
   * @throws StoreRefusal {@code already_delisted}
   */
  public Optional<StoreItem> delist(long itemId, String reason, Cause cause, Instant at)
      throws SQLException, StoreRefusal {
    return changeLocked(
        itemId,
        (connection, locked) -> {
          if (locked.delisted()) {
            throw new StoreRefusal("already_delisted", "item " + itemId + " is delisted already");
          }
          StoreItem before = one(connection, LATEST.bind("id", itemId)).orElseThrow();
          DELIST.bind("at", at).bind("reason", reason).bind("id", itemId).update(connection);
          StoreItem after = one(connection, LATEST.bind("id", itemId)).orElseThrow();
          AuditTrail.record(
              connection,
              new AuditEntry(
                  at, cause, null, AuditKinds.STORE_ITEM_DELISTED, subject(itemId), before, after));
          return after;
        });
  }

  /** The listed items, each at its latest approved version, by name. */
  public List<StoreItem> catalog(int limit, int offset) throws SQLException {
    return list(CATALOG.bind("limit", limit).bind("offset", offset));
  }

  /** Every version of every item of the creator: by item, newest version first. */
  public List<StoreItem> ofCreator(String creatorId) throws SQLException {
    return list(OF_CREATOR.bind("creator_id", creatorId));
  }

  /** The versions waiting for review, oldest first. */
  public List<StoreItem> queue(int limit, int offset) throws SQLException {
    return list(QUEUE.bind("limit", limit).bind("offset", offset));
  }

  /** The item at its latest version, whatever its status. */
  public Optional<StoreItem> latest(long itemId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return one(connection, LATEST.bind("id", itemId));
    }
  }

  private static String subject(long itemId) {
    return "store_item:" + itemId;
  }

  /** A change of an item made under its row lock. */
  @FunctionalInterface
  private interface LockedChange {
    StoreItem apply(Connection connection, Locked item) throws SQLException, StoreRefusal;
  }

  /** Runs the change in a transaction holding the item's lock; empty when there is no item. */
  private Optional<StoreItem> changeLocked(long itemId, LockedChange change)
      throws SQLException, StoreRefusal {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          Optional<Locked> locked = lock(connection, itemId);
          return locked.isEmpty()
              ? Optional.<StoreItem>empty()
              : Optional.of(change.apply(connection, locked.get()));
        });
  }

  /** An item under its row lock: whether an admin delisted it. */
  private record Locked(boolean delisted) {}

  /** Locks the item; empty when there is none. */
  private static Optional<Locked> lock(Connection connection, long itemId) throws SQLException {
    try (PreparedStatement statement = LOCK_ITEM.bind("id", itemId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(new Locked(rs.getTimestamp(1) != null)) : Optional.empty();
    }
  }

  private static StoreItem version(Connection connection, long versionId) throws SQLException {
    return one(connection, VERSION.bind("version_id", versionId)).orElseThrow();
  }

  private List<StoreItem> list(NamedSql.Binding query) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = query.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<StoreItem> items = new ArrayList<>();
      while (rs.next()) {
        items.add(item(rs));
      }
      return items;
    }
  }

  private static Optional<StoreItem> one(Connection connection, NamedSql.Binding query)
      throws SQLException {
    try (PreparedStatement statement = query.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(item(rs)) : Optional.empty();
    }
  }

  private static StoreItem item(ResultSet rs) throws SQLException {
    Map<String, BigDecimal> price = new TreeMap<>();
    if (rs.getBigDecimal(7) != null) {
      price.put(USD.getCurrencyCode(), rs.getBigDecimal(7));
    }
    if (rs.getBigDecimal(8) != null) {
      price.put(VND.getCurrencyCode(), rs.getBigDecimal(8));
    }
    int days = rs.getInt(10);
    return new StoreItem(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getLong(4),
        rs.getString(5),
        rs.getString(6),
        price,
        rs.getString(9),
        rs.wasNull() ? null : days,
        rs.getString(11),
        instant(rs.getTimestamp(12)),
        instant(rs.getTimestamp(13)),
        rs.getString(14),
        rs.getString(15),
        instant(rs.getTimestamp(16)),
        rs.getString(17));
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
