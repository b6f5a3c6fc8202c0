package io.streamspace.billing.http;

import io.streamspace.billing.account.MemberRole;

/**
 * The organization a request acts on (its billing account's id: a personal organization's is
 * its user's id), and the caller's role in it.
 *
 * @param role null for a platform admin who is not a member: they act on it from above
 */
record SubjectOrg(String id, MemberRole role) {}
