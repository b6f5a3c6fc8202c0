package io.streamspace.billing.rating;

/**
 * A team account's usage records of one resource at one unit price that belong to one member:
 * those of the sessions the member ran under the organization.
 *
 * @param memberId the member's user id; null for what belongs to no member (the organization's
 *                 storage, whose records have no session)
 */
public record MemberSum(String memberId, UsageSum sum) {}
