package io.streamspace.billing.tax;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.json.JsonMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code billing_tax_details}: an organization's address, tax exempt status and tax ids as the
 * newest completed Checkout Session (by its event's created time) told them.
 */
public final class TaxDetailsRepository {

  // an older event arriving late never overwrites what a newer one kept
  private static final NamedSql STRIPE_CUSTOMERS =
      NamedSql.of(
          """
          SELECT account_id, customer_id FROM billing_stripe_customers
          WHERE account_id = ANY (CAST(:account AS text[]))""");

  private static final NamedSql KEEP =
      NamedSql.of(
          """
          INSERT INTO billing_tax_details (account_id, name, line1, line2, city, state,
              postal_code, country, tax_exempt, tax_ids, session_id, event_at, updated_at)
          VALUES (:account, :name::text, :line1::text, :line2::text, :city::text, :state::text,
                  :postal_code::text, :country::text, :tax_exempt, :tax_ids::jsonb, :session,
                  :event_at, :now)
          ON CONFLICT (account_id) DO UPDATE
          SET name = EXCLUDED.name, line1 = EXCLUDED.line1, line2 = EXCLUDED.line2,
              city = EXCLUDED.city, state = EXCLUDED.state, postal_code = EXCLUDED.postal_code,
              country = EXCLUDED.country, tax_exempt = EXCLUDED.tax_exempt,
              tax_ids = EXCLUDED.tax_ids, session_id = EXCLUDED.session_id,
              event_at = EXCLUDED.event_at, updated_at = EXCLUDED.updated_at
          WHERE billing_tax_details.event_at < EXCLUDED.event_at""");

  private static final NamedSql OF =
      NamedSql.of(
          """
          SELECT account_id, name, line1, line2, city, state, postal_code, country, tax_exempt,
                 tax_ids::text
          FROM billing_tax_details WHERE account_id = ANY(:account::text[])""");

  private static final TypeReference<List<TaxDetails.TaxId>> TAX_IDS = new TypeReference<>() {};

  private TaxDetailsRepository() {}

  /**
   * Keeps the details a Checkout Session's completion told, unless the organization's kept ones
   * came from a newer event; answers whether they were kept.
   */
  public static boolean keep(
      Connection connection,
      String orgId,
      TaxDetails details,
      String sessionId,
      Instant eventAt,
      Instant now)
      throws SQLException {
    return KEEP.bind("account", orgId)
            .bind("name", details.name())
            .bind("line1", details.line1())
            .bind("line2", details.line2())
            .bind("city", details.city())
            .bind("state", details.state())
            .bind("postal_code", details.postalCode())
            .bind("country", details.country())
            .bind("tax_exempt", details.taxExempt())
            .bind("tax_ids", JsonMapper.write(details.taxIds()))
            .bind("session", sessionId)
            .bind("event_at", eventAt)
            .bind("now", now)
            .update(connection)
        == 1;
  }

  /**
   * The Stripe customer of each of the accounts that has one, in one statement: Stripe Tax reads
   * its address (saved in the Customer Portal, or before stripeTax) when Checkout kept none.
   */
  public static Map<String, String> stripeCustomersOf(Connection connection, List<String> orgIds)
      throws SQLException {
    Map<String, String> customers = new HashMap<>();
    try (PreparedStatement statement =
            STRIPE_CUSTOMERS
                .bind("account", SqlArrays.array(connection, orgIds, a -> a))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        customers.put(rs.getString(1), rs.getString(2));
      }
    }
    return customers;
  }

  /** The kept details of each of the accounts that has some, in one statement. */
  public static Map<String, TaxDetails> of(Connection connection, List<String> orgIds)
      throws SQLException {
    Map<String, TaxDetails> details = new HashMap<>();
    try (PreparedStatement statement =
            OF.bind("account", SqlArrays.array(connection, orgIds, a -> a)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        details.put(
            rs.getString(1),
            new TaxDetails(
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                taxIds(rs.getString(10))));
      }
    }
    return details;
  }

  private static List<TaxDetails.TaxId> taxIds(String json) {
    try {
      return JsonMapper.MAPPER.readValue(json, TAX_IDS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("billing_tax_details.tax_ids is not a list of tax ids", e);
    }
  }
}
