package io.streamspace.billing.packs;

import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.util.Map;

/**
 * A purchase that adds its capacity at some instant ({@link PackPurchases#activeAt}).
 *
 * @param adds what it adds to the account's limit of each meter
 */
public record ActivePack(long purchaseId, String packId, Map<Meter, BigDecimal> adds) {
  public ActivePack {
    adds = Map.copyOf(adds);
  }
}
