package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The invoice PDF rendered inside the packaged plugin (PDFBox and its fonts load from the plugin
 * zip's lib/), served as an attachment to its owner only. The invoice is written with SQL, as
 * the invoice lifecycle would leave it.
 */
class InvoicePdfE2ETest extends BillingHostTestBase {

  private String kim;
  private long invoiceId;

  @BeforeAll
  void kimHasAnInvoice() throws Exception {
    kim = newUser("kim");
    api.postEvents(platformToken, List.of(Events.userCreated(kim, NOW.minusSeconds(3600))));
    try (Connection c = DriverManager.getConnection(dbUrl);
        PreparedStatement s =
            c.prepareStatement(
                """
            INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                invoice_number, subtotal, credits_applied, total, finalize_after, finalized_at,
                due_at, created_at)
            VALUES (?, '2026-02-01Z', '2026-03-01Z', 'USD', 'sent', 'INV-2026-000777', 1.40, 0,
                1.40, '2026-03-01T01:00Z', '2026-03-01T01:00Z', '2026-03-15Z', '2026-03-01Z')
            RETURNING id""")) {
      s.setString(1, kim);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        invoiceId = rs.getLong(1);
      }
    }
  }

  private HttpResponse<byte[]> pdf(String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create(
                "http://localhost:"
                    + billing.host.port()
                    + "/api/plugins/billing/invoices/"
                    + invoiceId
                    + "/pdf"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void theOwnerDownloadsAPdfAndAnotherUserGets404() throws Exception {
    HttpResponse<byte[]> own = pdf(api.token(kim, "user"));
    HttpResponse<byte[]> other = pdf(api.token(newUser("lee"), "user"));

    assertEquals(200, own.statusCode());
    assertEquals("application/pdf", own.headers().firstValue("Content-Type").orElse(""));
    assertEquals(
        "attachment; filename=\"INV-2026-000777.pdf\"",
        own.headers().firstValue("Content-Disposition").orElse(""));
    assertTrue(new String(own.body(), 0, 5).startsWith("%PDF-"));
    assertEquals(404, other.statusCode());
    assertEquals(401, pdf(null).statusCode());
  }

  @Test
  void thePdfIsNeitherCachedNorSniffed() throws Exception {
    HttpResponse<byte[]> own = pdf(api.token(kim, "user"));

    assertEquals(200, own.statusCode());
    assertEquals("no-store", own.headers().firstValue("Cache-Control").orElse(""));
    assertEquals("nosniff", own.headers().firstValue("X-Content-Type-Options").orElse(""));
  }
}
