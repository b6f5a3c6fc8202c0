package io.streamspace.billing.account;

import java.util.Currency;

/**
 * A billing account: an organization, the currency it is billed in and the plan it is on. It is
 * keyed by the organization's id ({@code billing_accounts.user_id}, a name kept from when every
 * account had one user): a team organization's id is the platform's, a personal organization's
 * is its one user's. Quotas, holds, packs, credits and invoices belong to the account; sessions
 * and usage reports name both the account they are billed to ({@code org_id}) and the member
 * ({@code user_id}). See {@link Memberships} for who belongs to it.
 *
 * @param orgId the organization's id (a personal organization's is its user's id)
 * @param planVersion the version of its plan its plan term is on, whose limits it is held to
 * @param personal whether it is a user's personal organization, else a team's
 */
public record Account(
    String orgId,
    String email,
    Currency currency,
    String planId,
    int planVersion,
    String status,
    boolean personal) {}
