package io.streamspace.billing.rating;

/**
 * The part of the rating statement that bills a session nothing but storage while its
 * organization was held for a spent prepaid balance (the wind-down) or while it was hibernated:
 * the hold's span, from its placing to its lifting (V71), is cut out of the session's size and
 * held-meter steps, so its cpu, memory and held meters are not rated for it; its hibernations,
 * from their start to their resume (V77), are kept as pieces in the state {@code hibernated},
 * which {@link ActivitySteps} prices at nothing on records of their own (V81: so that lines show
 * the hibernated time and what it saved). Time both held and hibernated is held: cut. The
 * organization's storage, rated on its own, runs on. Decided by the stored holds and
 * hibernations, not by when the session's events arrived. Live cost cuts the same spans ({@code
 * HeldSteps#pausedDuring}): the hibernated pieces cost nothing either way.
 *
 * <p>Written after the CTE {@code steps} (which it reads twice, so that one is NOT MATERIALIZED:
 * inlined in both, as it was in its one use), for {@link ActivitySteps} to read {@code
 * billed_steps}: each step or piece with its {@code paused_state}, null but for hibernated
 * pieces. Most sessions have no such span: they keep their steps through a hashed anti-join
 * against the few paused ones (nothing to probe when none is), found from the handful of holds
 * by their partial index and from the hibernations by their key (a probe per session); only a
 * paused session's steps are cut, as ranges less the spans.
 */
final class PausedSteps {

  static final String CTES =
      """
      paused AS MATERIALIZED (
        SELECT p.session_id,
               coalesce(range_agg(p.span) FILTER (WHERE NOT p.hibernated),
                        '{}'::tstzmultirange) AS held,
               coalesce(range_agg(p.span) FILTER (WHERE p.hibernated),
                        '{}'::tstzmultirange) AS hibernated
        FROM (SELECT t.session_id, tstzrange(h.placed_at, h.lifted_at) AS span,
                     false AS hibernated
              FROM moved t JOIN billing_account_holds h ON h.user_id = t.user_id
              WHERE t.session_id <> '' AND h.reason = 'balance_exhausted'
                AND h.placed_at < t.rate_to AND (h.lifted_at IS NULL OR h.lifted_at > t.from_t)
              UNION ALL
              SELECT t.session_id, tstzrange(z.hibernated_at, z.resumed_at), true
              FROM moved t JOIN billing_session_hibernations z ON z.session_id = t.session_id
              WHERE t.session_id <> '' AND z.hibernated_at < t.rate_to
                AND (z.resumed_at IS NULL OR z.resumed_at > t.from_t)) p
        GROUP BY p.session_id
      ),
      billed_steps AS (
        SELECT g.*, NULL::text AS paused_state FROM steps g
        WHERE NOT EXISTS (SELECT 1 FROM paused p WHERE p.session_id = g.session_id)
        UNION ALL
        -- a paused session's step less its holds: the time not hibernated as it is, the
        -- hibernated time as such
        SELECT g.user_id, g.session_id, g.currency, g.from_t, g.rate_to, lower(c.span),
               upper(c.span), g.cpu_cores, g.memory_gb, g.storage_gb, g.held_id, g.held_amount,
               c.state
        FROM steps g JOIN paused p ON p.session_id = g.session_id
        CROSS JOIN LATERAL (
            SELECT tstzmultirange(tstzrange(g.step_start, g.step_end)) - p.held AS kept) k
        CROSS JOIN LATERAL (
            SELECT u.span, NULL::text AS state FROM unnest(k.kept - p.hibernated) u(span)
            UNION ALL
            SELECT u.span, 'hibernated' FROM unnest(k.kept * p.hibernated) u(span)) c
      ),""";

  private PausedSteps() {}
}
