package io.streamspace.billing.admission;

import java.math.BigDecimal;
import java.util.Map;

/**
 * An account's use as the database holds it.
 *
 * @param planId its plan (the active subscription's)
 * @param storageGb its storage level, zero if never reported
 * @param openSessions its sessions not ended, by id, with their last reported size
 */
record StoredUse(String planId, BigDecimal storageGb, Map<String, SessionSize> openSessions) {}
