package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Set;

/**
 * An account's use as the database holds it.
 *
 * @param plan its plan and the version of it (the active subscription's), null when none
 * @param currency what it is billed in
 * @param storageGb its storage level, zero if never reported
 * @param openSessions its sessions not ended, by id, with their last reported size and what they
 *     hold of each held meter (each meter's latest amount above 0)
 * @param counters its period counters in the billing period of the load
 * @param overageConfirmed the counters whose overage it confirmed for that period
 * @param packs its pack purchases not ended at the load, by id
 * @param sessionMembers the member running each open session, by session id, when not the
 *     account itself (a personal organization's sessions are not listed)
 * @param memberCaps its members' caps, by member
 * @param personal whether it is a user's personal organization (one member, its user)
 * @param seatLimit the seat limit its Owner set, null when none
 * @param members a team organization's latest membership event of each user, by user id
 */
record StoredUse(
    TermPlan plan,
    Currency currency,
    BigDecimal storageGb,
    Map<String, SessionSize> openSessions,
    Map<Meter, BigDecimal> counters,
    Set<Meter> overageConfirmed,
    Map<Long, PackGrant> packs,
    Map<String, String> sessionMembers,
    Map<String, Map<Meter, BigDecimal>> memberCaps,
    boolean personal,
    Integer seatLimit,
    Map<String, MemberEvent> members) {}
