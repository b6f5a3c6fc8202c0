package io.streamspace.billing.rating;

/**
 * The part of the rating statement that bills a session nothing but storage while its
 * organization was held for a spent prepaid balance (the wind-down) or while it was hibernated:
 * the hold's span, from its placing to its lifting (V71), and the session's hibernations, from
 * their start to their resume (V77), overlapping or not, are cut out of the session's size and
 * held-meter steps, so its cpu, memory and held meters are not rated for it; the
 * organization's storage, rated on its own, runs on. Decided by the stored holds and
 * hibernations, not by when the session's events arrived. Live cost cuts the same spans ({@code
 * HeldSteps#pausedDuring}).
 *
 * <p>Written after the CTE {@code steps} (which it reads twice, so that one is NOT MATERIALIZED:
 * inlined in both, as it was in its one use), for {@code parts} to read {@code billed_steps}.
 * Most sessions have no such span: they keep their steps through a hashed anti-join against the
 * few paused ones (nothing to probe when none is), found from the handful of holds by their
 * partial index and from the hibernations by their key (a probe per session); only a paused
 * session's steps are cut, as ranges less the spans.
 */
final class PausedSteps {

  static final String CTES =
      """
      paused AS MATERIALIZED (
        SELECT p.session_id, range_agg(p.span) AS spans
        FROM (SELECT t.session_id, tstzrange(h.placed_at, h.lifted_at) AS span
              FROM moved t JOIN billing_account_holds h ON h.user_id = t.user_id
              WHERE t.session_id <> '' AND h.reason = 'balance_exhausted'
                AND h.placed_at < t.rate_to AND (h.lifted_at IS NULL OR h.lifted_at > t.from_t)
              UNION ALL
              SELECT t.session_id, tstzrange(z.hibernated_at, z.resumed_at)
              FROM moved t JOIN billing_session_hibernations z ON z.session_id = t.session_id
              WHERE t.session_id <> '' AND z.hibernated_at < t.rate_to
                AND (z.resumed_at IS NULL OR z.resumed_at > t.from_t)) p
        GROUP BY p.session_id
      ),
      billed_steps AS (
        SELECT g.* FROM steps g
        WHERE NOT EXISTS (SELECT 1 FROM paused p WHERE p.session_id = g.session_id)
        UNION ALL
        SELECT g.user_id, g.session_id, g.currency, g.from_t, g.rate_to, lower(c.span),
               upper(c.span), g.cpu_cores, g.memory_gb, g.storage_gb, g.held_id, g.held_amount
        FROM steps g JOIN paused p ON p.session_id = g.session_id
        CROSS JOIN LATERAL unnest(
            tstzmultirange(tstzrange(g.step_start, g.step_end)) - p.spans) c(span)
      ),""";

  private PausedSteps() {}
}
