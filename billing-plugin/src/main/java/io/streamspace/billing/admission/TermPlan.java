package io.streamspace.billing.admission;

/**
 * The plan an account's active plan term is on, and the version of it whose limits admission
 * enforces ({@code billing_subscriptions.plan_id} and {@code plan_version}). A load gives each
 * one instance, shared by the accounts on it: the view holds a reference per account, as it held
 * the plan's id.
 */
record TermPlan(String id, int version) {}
