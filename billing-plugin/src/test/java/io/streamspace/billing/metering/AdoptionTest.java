package io.streamspace.billing.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.metering.AccountOpeningRepository.Adoption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A late user.created for an account a session event opened in USD on the free plan: when it is
 * ignored, and why the store says it was.
 */
class AdoptionTest {

  private static Adoption askedFor(
      String currency, String plan, boolean adopted, List<String> billed) {
    return new Adoption("thu", "user.created", adopted, currency, plan, "USD", "free", billed);
  }

  @Test
  void anAdoptedUserCreatedIsNotIgnored() {
    assertFalse(askedFor("VND", "pro", true, List.of()).ignored());
  }

  @Test
  void aUserCreatedAskingForTheTermsTheAccountHasIsNotIgnored() {
    assertFalse(askedFor("USD", "free", false, List.of()).ignored());
  }

  @Test
  void aUserCreatedNotAdoptedWithOtherTermsIsIgnoredForWhatWasBilled() {
    Adoption kept =
        askedFor("VND", "pro", false, List.of("usage was already rated", "an invoice exists"));

    assertTrue(kept.ignored());
    assertEquals("usage was already rated, an invoice exists", kept.why());
  }

  @Test
  void withNothingBilledTheTermsWereKeptForAPlanChangedMeanwhile() {
    Adoption kept = askedFor("USD", "pro", false, List.of());

    assertTrue(kept.ignored());
    assertEquals("its plan was changed meanwhile", kept.why());
  }
}
