package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.plugin.api.event.OrganizationEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the organization events ({@code org.*}) of a batch for {@link EventParser}: {@code org}
 * for {@code org.created} and {@code org.deleted}, {@code membership} for the membership events,
 * noting every problem by field as the parser does.
 */
final class OrganizationEvents {

  private static final String ROLES =
      "one of "
          + Arrays.stream(OrganizationEvent.Role.values())
              .map(OrganizationEvent.Role::wireName)
              .collect(Collectors.joining(", "));

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private OrganizationEvents() {}

  /** The event, or null when the reader noted a problem ({@code id} or {@code occurredAt} null). */
  static OrganizationEvent read(
      JsonNode node,
      FieldReader reader,
      String id,
      Instant occurredAt,
      OrganizationEvent.Type type) {
    if (type.isMembershipChange()) {
      return membershipEvent(node, reader, id, occurredAt, type);
    }
    JsonNode org = reader.requiredObject(node, "org");
    if (org == null) {
      return null;
    }
    String orgId = reader.requiredId(org, "org.", "org_id");
    OrganizationEvent.Organization created = null;
    if (type == OrganizationEvent.Type.CREATED) {
      String ownerUserId = reader.requiredId(org, "org.", "owner_user_id");
      String name = reader.optionalString(org, "org.", "name");
      String currency = currency(org, reader);
      String planId = reader.optionalId(org, "org.", "plan");
      if (ownerUserId == null) {
        return null;
      }
      created = new OrganizationEvent.Organization(name, ownerUserId, currency, planId);
    }
    if (id == null || occurredAt == null || orgId == null) {
      return null;
    }
    return new OrganizationEvent(id, occurredAt, type, orgId, created, null);
  }

  private static OrganizationEvent membershipEvent(
      JsonNode node,
      FieldReader reader,
      String id,
      Instant occurredAt,
      OrganizationEvent.Type type) {
    JsonNode membership = reader.requiredObject(node, "membership");
    if (membership == null) {
      return null;
    }
    String orgId = reader.requiredId(membership, "membership.", "org_id");
    String userId = reader.requiredId(membership, "membership.", "user_id");
    OrganizationEvent.Role role;
    if (type == OrganizationEvent.Type.MEMBER_REMOVED) {
      role = null;
      // a role on a removal is a platform bug: which role did it mean to end?
      if (membership.hasNonNull("role")) {
        reader.problem("membership.role", "must not be given: a removed member has no role");
        return null;
      }
    } else {
      role = role(membership, reader);
      if (role == null) {
        return null;
      }
    }
    if (id == null || occurredAt == null || orgId == null || userId == null) {
      return null;
    }
    return new OrganizationEvent(
        id, occurredAt, type, orgId, null, new OrganizationEvent.Membership(userId, role));
  }

  /** The required {@code membership.role}, or null (problem noted). */
  private static OrganizationEvent.Role role(JsonNode membership, FieldReader reader) {
    JsonNode role = membership.get("role");
    if (role == null || role.isNull()) {
      reader.problem("membership.role", "is required: " + ROLES);
      return null;
    }
    OrganizationEvent.Role known =
        role.isTextual() ? OrganizationEvent.Role.fromWire(role.asText()).orElse(null) : null;
    if (known == null) {
      reader.problem("membership.role", "must be " + ROLES);
    }
    return known;
  }

  /** The optional {@code org.currency}, or null (a problem noted when malformed). */
  private static String currency(JsonNode org, FieldReader reader) {
    String currency = reader.optionalSingleLine(org, "org.", "currency");
    if (currency != null && !CURRENCY.matcher(currency).matches()) {
      reader.problem(
          "org.currency", "must be an ISO 4217 code of 3 upper case letters, such as USD");
      return null;
    }
    return currency;
  }
}
