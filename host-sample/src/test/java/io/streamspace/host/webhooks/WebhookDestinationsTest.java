package io.streamspace.host.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.WebhookReceiver;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without the operator's opt-in, webhooks never go to the host's own network: an address of it is
 * refused when registered, and a name resolving to one when an attempt would be sent.
 */
class WebhookDestinationsTest extends HostTestBase {

  private static String endpoint(String url) {
    return HostClient.json(Map.of("url", url, "event_types", List.of("*")));
  }

  private int endpointCount() {
    return http.get("/api/admin/webhooks", ADMIN_TOKEN).expect(200).get("endpoints").size();
  }

  @Test
  void anEndpointOnAPrivateAddressIsRefusedNamingTheUrlAndHowToAllowIt_andNothingIsStored() {
    int before = endpointCount();
    for (String url :
        List.of(
            "http://127.0.0.1:8080/hook",
            "http://10.1.2.3/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:9000/hook",
            "https://192.168.0.10/hook",
            "http://0.0.0.0:8080/hook")) {
      JsonNode error =
          http.post("/api/admin/webhooks", ADMIN_TOKEN, endpoint(url)).expect(400).get("error");
      assertEquals("invalid_request", error.get("code").asText(), url);
      assertEquals("url", error.get("field").asText(), url);
      String message = error.get("message").asText();
      assertTrue(message.contains("is not a public address"), message);
      assertTrue(message.contains("STREAMSPACE_WEBHOOKS_ALLOW_PRIVATE=true"), message);
    }
    assertEquals(before, endpointCount());
  }

  @Test
  void aNameResolvingToLoopbackIsRefusedAtEachAttempt_aFailedAttemptWithoutARequest()
      throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      String url = receiver.url("/inside").replace("127.0.0.1", "localhost");
      long id =
          http.post("/api/admin/webhooks", ADMIN_TOKEN, endpoint(url))
              .expect(201) // a name: what it resolves to is known only when sending
              .get("endpoint")
              .get("id")
              .asLong();
      plugin.context.events().publish("rec.inside", "{}");

      assertEquals(1, host.webhooks().runOnce());

      JsonNode delivery =
          http.get("/api/admin/webhooks/" + id + "/deliveries", ADMIN_TOKEN)
              .expect(200)
              .get("deliveries")
              .get(0);
      assertEquals("pending", delivery.get("status").asText(), delivery.toString());
      assertEquals(1, delivery.get("attempt_count").asInt());
      assertTrue(delivery.get("last_response_code").isNull(), delivery.toString());
      String error = delivery.get("last_error").asText();
      assertTrue(
          error.startsWith("destination localhost is not a public address (127.0.0.1, loopback)"),
          error);
      assertTrue(error.contains("STREAMSPACE_WEBHOOKS_ALLOW_PRIVATE=true"), error);

      // a replay is refused alike: the answer shows no status of the inside
      JsonNode replayed =
          http.post(
                  "/api/admin/webhooks/" + id + "/deliveries/" + delivery.get("id") + "/replay",
                  ADMIN_TOKEN,
                  null)
              .expect(200);
      assertTrue(
          replayed.get("attempts").get(0).get("error").asText().contains("not a public address"),
          replayed.toString());
      assertTrue(receiver.received.isEmpty());
      http.delete("/api/admin/webhooks/" + id, ADMIN_TOKEN).expect(204);
    }
  }

  @Test
  void anEndpointInSharedAddressSpaceOrAnotherNonPublicBlockIsRefusedAtRegistrationNamingIt() {
    int before = endpointCount();
    Map<String, String> refused =
        Map.ofEntries(
            Map.entry("http://100.64.0.1/hook", "(100.64.0.1, shared address space, RFC 6598)"),
            Map.entry("http://100.127.255.254/hook", "shared address space"),
            Map.entry("http://192.0.0.170/hook", "IETF protocol assignments"),
            Map.entry("http://192.0.2.10/hook", "documentation"),
            Map.entry("http://198.51.100.7/hook", "documentation"),
            Map.entry("http://203.0.113.9/hook", "documentation"),
            Map.entry("http://198.19.255.1/hook", "benchmarking"),
            Map.entry("http://240.0.0.1/hook", "reserved"),
            Map.entry("http://255.255.255.255/hook", "the broadcast address"),
            Map.entry("http://239.1.2.3/hook", "multicast"),
            Map.entry("http://[2001:db8::1]/hook", "documentation"),
            Map.entry("http://[100::1]/hook", "discard-only"),
            Map.entry("http://[64:ff9b::a00:1]/hook", "NAT64 of 10.0.0.1: private, RFC 1918"),
            Map.entry("http://[2002:6440:1::1]/hook", "6to4 of 100.64.0.1: shared address space"),
            Map.entry("http://[::10.0.0.1]/hook", "IPv4-compatible of 10.0.0.1: private"));
    refused.forEach(
        (url, named) -> {
          String message =
              http.post("/api/admin/webhooks", ADMIN_TOKEN, endpoint(url))
                  .expect(400)
                  .at("/error/message")
                  .asText();
          assertTrue(message.contains("is not a public address"), url + ": " + message);
          assertTrue(message.contains(named), url + ": " + message);
        });
    assertEquals(before, endpointCount());
  }

  @Test
  void theBordersOfTheNonPublicBlocksAreExact() throws Exception {
    // 100.64.0.0/10 is 100.64.0.0 to 100.127.255.255; 198.18.0.0/15 is 198.18.0.0 to
    // 198.19.255.255; 192.0.0.0/24 ends at 192.0.0.255; 240.0.0.0/4 starts after 239.255.255.255
    for (String address :
        List.of("100.64.0.0", "100.127.255.255", "198.18.0.0", "198.19.255.255", "192.0.0.255")) {
      assertTrue(WebhookDestinations.isPrivate(InetAddress.getByName(address)), address);
    }
    for (String address :
        List.of(
            "100.63.255.255",
            "100.128.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "192.0.1.0",
            "192.0.3.0",
            "203.0.114.0",
            "64:ff9b::808:808", // NAT64 of 8.8.8.8
            "2002:808:808::1", // 6to4 of 8.8.8.8
            "2001:db9::1")) {
      assertFalse(WebhookDestinations.isPrivate(InetAddress.getByName(address)), address);
    }
  }

  @Test
  void theNetworksOwnRangesArePrivateAndPublicAddressesAreNot() throws Exception {
    for (String address :
        List.of(
            "127.0.0.1",
            "127.5.5.5",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::127.0.0.1")) {
      assertTrue(WebhookDestinations.isPrivate(InetAddress.getByName(address)), address);
    }
    for (String address :
        List.of("93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111")) {
      assertFalse(WebhookDestinations.isPrivate(InetAddress.getByName(address)), address);
    }
  }
}
