package io.streamspace.billing.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.admission.AdmissionRules.Offers;
import io.streamspace.billing.admission.AdmissionRules.PackOffer;
import io.streamspace.billing.admission.AdmissionRules.PlanOffer;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.quota.QuotaRule;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionDecision;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A session's requested size against the hard limits, on plans shaped as the default ones (all
 * hard): free (0.00 USD) 2 cores, 4 GB memory, 2 GB storage, 2 job slots; pro (29.99) 8 cores, 16
 * GB, 100 GB, no slot limit; enterprise (99.99) 32 cores, 64 GB, 500 GB, no slot limit. Packs:
 * slots-5 (5.00, +5 slots), slots-20 (18.00, +20 slots), storage-10 (2.00, +10 GB); none adds
 * cores or memory.
 */
class AdmissionRulesTest {

  private static final NamedPlan HOBBY = new NamedPlan("free", "Hobby");
  private static final NamedPlan PRO_PLAN = new NamedPlan("pro", "Pro");
  private static final NamedPlan ENTERPRISE_PLAN = new NamedPlan("enterprise", "Enterprise");
  private static final PlanLimits FREE = limits("2", "4", "2", "2");
  private static final PlanLimits PRO = limits("8", "16", "100", null);
  private static final PlanLimits ENTERPRISE = limits("32", "64", "500", null);
  private static final Offers OFFERS =
      new Offers(
          List.of(
              new PlanOffer(HOBBY, BigDecimal.ZERO, FREE),
              new PlanOffer(PRO_PLAN, new BigDecimal("29.99"), PRO),
              new PlanOffer(ENTERPRISE_PLAN, new BigDecimal("99.99"), ENTERPRISE)),
          List.of(
              new PackOffer(
                  "slots-5",
                  "5 job slots",
                  new BigDecimal("5.00"),
                  adds(Meter.ACTIVE_SESSIONS, "5")),
              new PackOffer(
                  "slots-20",
                  "20 job slots",
                  new BigDecimal("18.00"),
                  adds(Meter.ACTIVE_SESSIONS, "20")),
              new PackOffer(
                  "storage-10",
                  "10 GB storage",
                  new BigDecimal("2.00"),
                  adds(Meter.STORAGE_GB, "10"))));

  private static PlanLimits limits(String cores, String memory, String storage, String slots) {
    return new PlanLimits(
        Map.of(
            Meter.CPU_CORES, hard(cores),
            Meter.MEMORY_GB, hard(memory),
            Meter.STORAGE_GB, hard(storage),
            Meter.ACTIVE_SESSIONS, hard(slots)));
  }

  private static Limit hard(String amount) {
    return new Limit(amount == null ? null : new BigDecimal(amount), LimitKind.HARD);
  }

  private static Map<Meter, BigDecimal> adds(Meter meter, String amount) {
    return Map.of(meter, new BigDecimal(amount));
  }

  /** An account with that much open and stored, and what its active packs add. */
  private static ConcurrentUse use(
      String cores, int sessions, String storedGb, Map<Meter, BigDecimal> packAdds) {
    return new ConcurrentUse(
        "free",
        null,
        new BigDecimal(cores),
        new BigDecimal(cores),
        sessions,
        Map.of(),
        new BigDecimal(storedGb),
        null,
        Map.of(),
        Set.of(),
        packAdds);
  }

  private static ResourceSize asks(String cores, String memoryGb, String storageGb) {
    return new ResourceSize(
        new BigDecimal(cores), new BigDecimal(memoryGb), new BigDecimal(storageGb));
  }

  /** The decision on {@code named}, whose limits are raised by the account's packs. */
  private static AdmissionDecision decide(
      ConcurrentUse use, ResourceSize asked, NamedPlan named, PlanLimits plan) {
    return AdmissionRules.decide(
        use,
        asked,
        named,
        plan.raisedBy(use.packAdds()),
        Meters.DEFAULT,
        new OverageTerms(new QuotaRule(80), Currency.getInstance("USD"), Optional.empty()),
        () -> OFFERS);
  }

  private static AdmissionDecision onFree(ConcurrentUse use, ResourceSize asked) {
    return decide(use, asked, HOBBY, FREE);
  }

  @Test
  void threeGbAskedOnFreeWithNothingStored_isRefusedAtStorage_namingProAndTheStoragePack() {
    // the level after the session starts: max(0 held, 3 asked) = 3 GB > 2 GB hard
    AdmissionDecision refused = onFree(use("0", 0, "0", Map.of()), asks("0.5", "1", "3"));

    assertFalse(refused.allowed());
    assertEquals("storage_gb_limit", refused.code());
    assertEquals(
        "Storage limit reached: this session asks for 3 GB of storage, with 0 GB stored now,"
            + " over the hard limit of 2 GB of the Hobby plan. The Pro plan would allow it, as"
            + " would the 10 GB storage pack.",
        refused.reason());
    assertEquals("pro", refused.upgrade(), "pro's 100 GB at 29.99, cheaper than enterprise");
    assertEquals("storage-10", refused.pack(), "2 + 10 = 12 GB >= 3");
  }

  @Test
  void askingForTheLevelTheOrganizationHolds_orLess_isAllowed() {
    // max(2 held, 2 asked) = 2 GB, at the 2 GB limit; max(2, 1) = 2 likewise
    assertTrue(onFree(use("0", 0, "2", Map.of()), asks("0.5", "1", "2")).allowed());
    assertTrue(onFree(use("0", 0, "2", Map.of()), asks("0.5", "1", "1")).allowed());
  }

  @Test
  void aLevelAlreadyOverRefusesEvenASessionAskingForLess_asBefore() {
    // max(2.5 held, 0 asked) = 2.5 GB > 2; storage-10 takes it to 12
    AdmissionDecision refused = onFree(use("0", 0, "2.5", Map.of()), asks("0.5", "1", "0"));

    assertEquals("storage_gb_limit", refused.code());
    assertEquals(
        "Storage limit exceeded: 2.5 GB stored is over the hard limit of 2 GB of the Hobby plan."
            + " The Pro plan would allow it, as would the 10 GB storage pack.",
        refused.reason());
  }

  @Test
  void threeCoresAskedWithNoneInUseOnATwoCorePlanAreRefused_namingProAndNoPack() {
    // 0 in use + 3 asked = 3 > 2 hard; pro's 8 allows it; no pack adds cores
    AdmissionDecision refused = onFree(use("0", 0, "0", Map.of()), asks("3", "1", "0"));

    assertEquals("cpu_cores_limit", refused.code());
    assertEquals(
        "CPU limit reached: 0 cores in use plus 3 for this session would pass the hard limit of"
            + " 2 cores of the Hobby plan. The Pro plan would allow it.",
        refused.reason());
    assertEquals("pro", refused.upgrade());
    assertNull(refused.pack());
  }

  @Test
  void memoryAskedPastTheLimitIsRefused_namingPro() {
    // 0 in use + 5 GB asked = 5 > 4 hard
    AdmissionDecision refused = onFree(use("0", 0, "0", Map.of()), asks("1", "5", "0"));

    assertEquals("memory_gb_limit", refused.code());
    assertEquals("pro", refused.upgrade());
    assertNull(refused.pack());
  }

  @Test
  void aThirdJobSlotOnFreeNamesProAndTheCheapestSlotPack() {
    // 2 open + 1 = 3 > 2 hard; slots-5 (5.00) and slots-20 (18.00) both allow it: the cheaper
    AdmissionDecision refused = onFree(use("1", 2, "0", Map.of()), asks("0.5", "1", "0"));

    assertEquals("active_sessions_limit", refused.code());
    assertEquals(
        "Active sessions limit reached: 2 sessions in use plus 1 for this session would pass the"
            + " hard limit of 2 sessions of the Hobby plan. The Pro plan would allow it, as would"
            + " the 5 job slots pack.",
        refused.reason());
    assertEquals("pro", refused.upgrade());
    assertEquals("slots-5", refused.pack());
  }

  @Test
  void anActivePackRaisingTheLimitAdmitsTheSession() {
    // storage-10 active: 2 + 10 = 12 GB hard, 3 asked fits
    Map<Meter, BigDecimal> storagePack = adds(Meter.STORAGE_GB, "10");

    assertTrue(onFree(use("0", 0, "0", storagePack), asks("0.5", "1", "3")).allowed());
  }

  @Test
  void pastALimitPacksRaised_theReasonSaysSo_andAnotherPackOrAPlanWithThePacksWouldAllowIt() {
    // 13 asked > 12 (2 + the active 10); a second storage-10 makes 22; pro 100 + 10 = 110
    AdmissionDecision refused =
        onFree(use("0", 0, "0", adds(Meter.STORAGE_GB, "10")), asks("0.5", "1", "13"));

    assertEquals("storage_gb_limit", refused.code());
    assertEquals(
        "Storage limit reached: this session asks for 13 GB of storage, with 0 GB stored now,"
            + " over the hard limit of 12 GB of the Hobby plan with its packs. The Pro plan would"
            + " allow it, as would the 10 GB storage pack.",
        refused.reason());
  }

  @Test
  void theUpgradeAndPackNamedAllowEverySizeOfTheSession_notOnlyTheMeterRefused() {
    // 2 slots open and 3 GB asked: refused at slots first; slots-5 would leave storage over
    // (3 > 2), so no pack; pro allows both (no slot limit, 100 GB)
    AdmissionDecision slots = onFree(use("1", 2, "0", Map.of()), asks("0.5", "1", "3"));
    // 10 cores and 200 GB asked: pro has 8 cores and 100 GB, enterprise 32 and 500
    AdmissionDecision big = onFree(use("0", 0, "0", Map.of()), asks("10", "1", "200"));

    assertEquals("active_sessions_limit", slots.code());
    assertEquals("pro", slots.upgrade());
    assertNull(slots.pack());
    assertEquals("cpu_cores_limit", big.code());
    assertEquals("enterprise", big.upgrade());
    assertNull(big.pack());
  }

  @Test
  void whenNoPlanNorPackWouldAllowIt_noneIsNamed() {
    // on enterprise: 600 GB asked > 500; enterprise is the account's own, storage-10 makes 510
    AdmissionDecision refused =
        decide(use("0", 0, "0", Map.of()), asks("1", "1", "600"), ENTERPRISE_PLAN, ENTERPRISE);

    assertEquals("storage_gb_limit", refused.code());
    assertEquals(
        "Storage limit reached: this session asks for 600 GB of storage, with 0 GB stored now,"
            + " over the hard limit of 500 GB of the Enterprise plan.",
        refused.reason());
    assertNull(refused.upgrade());
    assertNull(refused.pack());
  }

  // a held meter the config adds (GPUs), limited hard by free (1) and pro (4), not by
  // enterprise; packs gpu-1 (9.00, +1 GPU) and gpu-4 (30.00, +4 GPUs)

  private static final Meter GPU =
      Meter.held("gpu", "GPU", "gpu", Map.of(Currency.getInstance("USD"), new BigDecimal("0.90")));
  private static final Meters WITH_GPU =
      new Meters(Stream.concat(Meter.BUILT_IN.stream(), Stream.of(GPU)).toList());
  private static final PlanLimits FREE_GPU = withGpu(FREE, hard("1"));
  private static final PlanLimits PRO_GPU = withGpu(PRO, hard("4"));
  private static final Offers GPU_OFFERS =
      new Offers(
          List.of(
              new PlanOffer(HOBBY, BigDecimal.ZERO, FREE_GPU),
              new PlanOffer(PRO_PLAN, new BigDecimal("29.99"), PRO_GPU),
              new PlanOffer(ENTERPRISE_PLAN, new BigDecimal("99.99"), ENTERPRISE)),
          List.of(
              new PackOffer(
                  "slots-5",
                  "5 job slots",
                  new BigDecimal("5.00"),
                  adds(Meter.ACTIVE_SESSIONS, "5")),
              new PackOffer("gpu-1", "1 GPU", new BigDecimal("9.00"), adds(GPU, "1")),
              new PackOffer("gpu-4", "4 GPUs", new BigDecimal("30.00"), adds(GPU, "4"))));

  private static PlanLimits withGpu(PlanLimits plan, Limit gpu) {
    Map<Meter, Limit> limits = new HashMap<>(plan.byMeter());
    limits.put(GPU, gpu);
    return new PlanLimits(limits);
  }

  /** An account with 1 core and 1 session open holding {@code gpus}, and those packs active. */
  private static ConcurrentUse holding(String gpus, Map<Meter, BigDecimal> packAdds) {
    return new ConcurrentUse(
        "free",
        null,
        BigDecimal.ONE,
        BigDecimal.ONE,
        1,
        Map.of("gpu", new BigDecimal(gpus)),
        BigDecimal.ZERO,
        null,
        Map.of(),
        Set.of(),
        packAdds);
  }

  private static ResourceSize asksGpus(String cores, String gpus, String storageGb) {
    return new ResourceSize(
        new BigDecimal(cores),
        BigDecimal.ONE,
        new BigDecimal(storageGb),
        gpus == null ? Map.of() : Map.of("gpu", new BigDecimal(gpus)));
  }

  private static AdmissionDecision onFreeWithGpu(
      ConcurrentUse use, ResourceSize asked, PlanLimits plan) {
    return AdmissionRules.decide(
        use,
        asked,
        HOBBY,
        plan.raisedBy(use.packAdds()),
        WITH_GPU,
        new OverageTerms(new QuotaRule(80), Currency.getInstance("USD"), Optional.empty()),
        () -> GPU_OFFERS);
  }

  @Test
  void aSecondGpuOnAOneGpuPlanIsRefusedAtGpu_namingProAndTheCheapestGpuPack() {
    // 1 held + 1 asked = 2 > 1 hard; pro's 4 allows it, gpu-1 (9.00) makes 2, cheaper than gpu-4
    AdmissionDecision refused =
        onFreeWithGpu(holding("1", Map.of()), asksGpus("0.5", "1", "0"), FREE_GPU);

    assertFalse(refused.allowed());
    assertEquals("gpu_limit", refused.code());
    assertEquals(
        "GPU limit reached: 1 gpu in use plus 1 for this session would pass the hard limit of 1"
            + " gpu of the Hobby plan. The Pro plan would allow it, as would the 1 GPU pack.",
        refused.reason());
    assertEquals("pro", refused.upgrade());
    assertEquals("gpu-1", refused.pack());
  }

  @Test
  void thePackNamedForGpusIsOneThatHoldsTheWholeRequest() {
    // 1 held + 3 asked = 4 > 1: gpu-1 makes 2 (still over), gpu-4 makes 5; pro's 4 holds 4
    AdmissionDecision refused =
        onFreeWithGpu(holding("1", Map.of()), asksGpus("0.5", "3", "0"), FREE_GPU);

    assertEquals("gpu_limit", refused.code());
    assertEquals("gpu-4", refused.pack());
    assertEquals("pro", refused.upgrade());
    assertTrue(refused.reason().startsWith("GPU limit reached: 1 gpu in use plus 3"));
  }

  @Test
  void aSessionAskingForNoGpuIsAdmittedAtTheGpuLimit_andRefusedOnlyWhenAlreadyOverIt() {
    // as with cores: 1 held + 0 = 1, at the limit; 2 held (the platform started one anyway) +
    // 0 = 2 > 1
    AdmissionDecision atLimit =
        onFreeWithGpu(holding("1", Map.of()), asksGpus("0.5", null, "0"), FREE_GPU);
    AdmissionDecision over =
        onFreeWithGpu(holding("2", Map.of()), asksGpus("0.5", null, "0"), FREE_GPU);

    assertTrue(atLimit.allowed());
    assertEquals("gpu_limit", over.code());
    assertTrue(
        over.reason().startsWith("GPU limit reached: 2 gpu in use plus 0 for this session"),
        over.reason());
  }

  @Test
  void anActiveGpuPackRaisesTheLimit_andAReasonPastTheRaisedLimitSaysSo() {
    // gpu-1 active: 1 + 1 = 2 hard; 1 held + 1 asked = 2 fits, 1 + 2 = 3 does not
    Map<Meter, BigDecimal> gpuPack = adds(Meter.of("gpu"), "1"); // as a stored purchase keys it

    AdmissionDecision fits =
        onFreeWithGpu(holding("1", gpuPack), asksGpus("0.5", "1", "0"), FREE_GPU);
    AdmissionDecision over =
        onFreeWithGpu(holding("1", gpuPack), asksGpus("0.5", "2", "0"), FREE_GPU);

    assertTrue(fits.allowed());
    assertEquals("gpu_limit", over.code());
    assertEquals(
        "GPU limit reached: 1 gpu in use plus 2 for this session would pass the hard limit of 2"
            + " gpu of the Hobby plan with its packs. The Pro plan would allow it, as would the"
            + " 1 GPU pack.",
        over.reason());
  }

  @Test
  void softAndUnlimitedGpuLimitsNeverRefuse() {
    PlanLimits soft = withGpu(FREE, new Limit(BigDecimal.ONE, LimitKind.SOFT));

    assertTrue(onFreeWithGpu(holding("3", Map.of()), asksGpus("0.5", "2", "0"), soft).allowed());
    assertTrue(onFreeWithGpu(holding("3", Map.of()), asksGpus("0.5", "2", "0"), FREE).allowed());
  }

  @Test
  void gpusAreCheckedAfterCoresMemoryAndSlots_andBeforeStorage() {
    // 1 core open + 2 asked = 3 > 2 and 2 GPUs over 1: cores first; 3 GB asked > 2 GB and
    // 2 GPUs over 1: the GPUs first
    AdmissionDecision cores =
        onFreeWithGpu(holding("1", Map.of()), asksGpus("2", "1", "0"), FREE_GPU);
    AdmissionDecision gpus =
        onFreeWithGpu(holding("1", Map.of()), asksGpus("0.5", "1", "3"), FREE_GPU);

    assertEquals("cpu_cores_limit", cores.code());
    assertEquals("gpu_limit", gpus.code());
  }

  @Test
  void aCatalogWithoutTheHeldMeterChecksNoGpus() {
    // the same limits and use judged by the default catalog, which has no gpu meter
    AdmissionDecision decision =
        AdmissionRules.decide(
            holding("1", Map.of()),
            asksGpus("0.5", "1", "0"),
            HOBBY,
            FREE_GPU,
            Meters.DEFAULT,
            new OverageTerms(new QuotaRule(80), Currency.getInstance("USD"), Optional.empty()),
            () -> GPU_OFFERS);

    assertTrue(decision.allowed());
  }
}
