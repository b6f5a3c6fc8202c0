package io.streamspace.billing.analytics;

import io.streamspace.billing.db.NamedSql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What customers owe now, aged by how long past due: every finalized invoice not paid nor voided
 * ({@code sent} or {@code overdue}), per currency, in five buckets of whole days past its due
 * date: {@code not_due}, {@code 1_30}, {@code 31_60}, {@code 61_90}, {@code over_90}. An invoice
 * 30 days and one second past due is in {@code 31_60}.
 */
public final class Receivables {

  /** One bucket of one currency: how many invoices, and what they total. */
  public record Bucket(String currency, String bucket, long invoices, BigDecimal total) {}

  // days past due counted up (a second past due is day 1): each bucket's oldest due date
  // compared, rather than each invoice's lateness computed; the index holds every column read
  private static final NamedSql AGED =
      NamedSql.of(
          """
          SELECT currency, bucket, count(*), sum(total)
          FROM (SELECT currency, total - credited_due AS total,
                       CASE WHEN due_at >= :now THEN 0
                            WHEN due_at >= CAST(:now AS timestamptz) - interval '30 days' THEN 1
                            WHEN due_at >= CAST(:now AS timestamptz) - interval '60 days' THEN 2
                            WHEN due_at >= CAST(:now AS timestamptz) - interval '90 days' THEN 3
                            ELSE 4 END AS bucket
                FROM billing_invoices WHERE status IN ('sent', 'overdue')) aged
          GROUP BY 1, 2
          ORDER BY 1, 2""");

  /** The buckets' names, youngest first, by the statement's number. */
  private static final List<String> BUCKETS =
      List.of("not_due", "1_30", "31_60", "61_90", "over_90");

  private final DataSource dataSource;

  public Receivables(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The buckets that hold an invoice at {@code now}, by currency, youngest first. */
  public List<Bucket> aged(Instant now) throws SQLException {
    List<Bucket> buckets = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = AGED.bind("now", now).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        buckets.add(
            new Bucket(
                rs.getString(1), BUCKETS.get(rs.getInt(2)), rs.getLong(3), rs.getBigDecimal(4)));
      }
    }
    return buckets;
  }
}
