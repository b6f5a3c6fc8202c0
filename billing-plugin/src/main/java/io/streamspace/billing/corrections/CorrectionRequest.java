package io.streamspace.billing.corrections;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.json.JsonMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A correction as an admin asks for it: why, and its entries, read from the request's {@code
 * items} (each one of {@code cancel}, {@code amend} or {@code backfill}; a backfill's events are
 * an entry each). Reading it checks its shape only; what it names is checked against what is
 * stored when it is made ({@link CorrectionChecks}).
 *
 * @param hash a digest of the reason and the items as posted: a retry under the same key must
 *     post the same
 */
public record CorrectionRequest(String reason, List<Entry> entries, String hash) {

  /** The most items one correction takes, and events one backfill. */
  static final int MAX_ITEMS = 100;

  static final int MAX_EVENTS = 1_000;

  private static final BigDecimal MAX_CORES = BigDecimal.valueOf(1_024);
  private static final BigDecimal MAX_MEMORY = BigDecimal.valueOf(16_384);
  private static final BigDecimal MAX_STORAGE = BigDecimal.valueOf(1_000_000);
  private static final BigDecimal MAX_QUANTITY = BigDecimal.valueOf(1_000_000_000);

  public CorrectionRequest {
    entries = List.copyOf(entries);
  }

  /**
   * Reads {@code items} of a request whose {@code reason} was checked; refused naming the first
   * item field that is missing or bad.
   */
  public static CorrectionRequest parse(String reason, JsonNode items) throws CorrectionRefused {
    if (items == null || !items.isArray() || items.isEmpty() || items.size() > MAX_ITEMS) {
      throw new CorrectionRefused(
          "items", "items is required: an array of 1 to " + MAX_ITEMS + " corrections");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      entries.addAll(item(i, items.get(i)));
    }
    return new CorrectionRequest(reason, entries, hash(reason, items));
  }

  private static List<Entry> item(int i, JsonNode item) throws CorrectionRefused {
    String field = "items[" + i + "]";
    if (item == null || !item.isObject() || item.size() != 1) {
      throw new CorrectionRefused(
          field, field + " must be an object of exactly one of cancel, amend, backfill");
    }
    Fields fields = new Fields(item, field);
    if (fields.has("cancel")) {
      return List.of(new Entry.Cancel(i, null, fields.object("cancel").id("event_id")));
    }
    if (fields.has("amend")) {
      return List.of(amend(i, fields.object("amend")));
    }
    if (fields.has("backfill")) {
      return backfill(i, fields.object("backfill"));
    }
    throw new CorrectionRefused(
        field, field + " must be an object of exactly one of cancel, amend, backfill");
  }

  private static Entry amend(int i, Fields amend) throws CorrectionRefused {
    if (amend.has("event_id")) {
      return new Entry.AmendQuantity(
          i, null, amend.id("event_id"), amend.amount("quantity", MAX_QUANTITY));
    }
    String session = amend.id("session_id");
    var from = amend.instant("from");
    var to = amend.instant("to");
    if (!from.isBefore(to)) {
      throw new CorrectionRefused(amend.name("to"), amend.name("to") + " must be after from");
    }
    Entry.AmendSizes sizes =
        new Entry.AmendSizes(
            i,
            null,
            session,
            from,
            to,
            amend.optionalAmount("cpu_cores", MAX_CORES),
            amend.optionalAmount("memory_gb", MAX_MEMORY),
            amend.optionalAmount("storage_gb", MAX_STORAGE),
            amend.resources("resources"));
    if (sizes.cpuCores() == null
        && sizes.memoryGb() == null
        && sizes.storageGb() == null
        && sizes.resources().isEmpty()) {
      throw new CorrectionRefused(
          amend.name("cpu_cores"),
          amend.name("amend")
              + " changes nothing: give cpu_cores, memory_gb, storage_gb or resources"
              + " (or event_id and quantity for a usage report)");
    }
    return sizes;
  }

  private static List<Entry> backfill(int i, Fields backfill) throws CorrectionRefused {
    String field = backfill.name("events");
    JsonNode events = backfill.has("events") ? backfillNode(backfill) : null;
    if (events == null || !events.isArray() || events.isEmpty() || events.size() > MAX_EVENTS) {
      throw new CorrectionRefused(
          field, field + " is required: an array of 1 to " + MAX_EVENTS + " events");
    }
    List<Entry> entries = new ArrayList<>();
    for (int e = 0; e < events.size(); e++) {
      entries.add(
          new Entry.Backfill(i, null, BackfilledEvent.parse(events.get(e), field + "[" + e + "]")));
    }
    return entries;
  }

  private static JsonNode backfillNode(Fields backfill) {
    return backfill.node().get("events");
  }

  /** The request's digest: the same reason and items, whatever their spacing. */
  static String hash(String reason, JsonNode items) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      String canonical = JsonMapper.write(new TreeMap<>(Map.of("reason", reason, "items", items)));
      return HexFormat.of().formatHex(digest.digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
