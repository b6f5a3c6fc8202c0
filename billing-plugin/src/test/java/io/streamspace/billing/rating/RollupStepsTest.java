package io.streamspace.billing.rating;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.rating.RollupSteps.RunSize;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollupStepsTest {

  @Test
  void aStepEndsAtTheRunThatBringsItToTheBound_andTheLastAtTheSettledRun() {
    // 8,000 + 9,000 = 17,000 < 20,000; + 5,000 = 22,000: the first step ends at run 13;
    // run 14 alone holds 30,000: the second ends there; run 15's 1,000 go with the settled run
    List<RunSize> sizes =
        List.of(
            new RunSize(11, 8_000),
            new RunSize(12, 9_000),
            new RunSize(13, 5_000),
            new RunSize(14, 30_000),
            new RunSize(15, 1_000));

    assertEquals(List.of(13L, 14L, 16L), RollupSteps.ends(sizes, 16, 20_000));
  }

  @Test
  void theSettledRunEndsTheLastStepOnce_evenWhenItFillsAStepAlone() {
    assertEquals(List.of(5L), RollupSteps.ends(List.of(new RunSize(5, 25_000)), 5, 20_000));
    assertEquals(
        List.of(4L, 5L),
        RollupSteps.ends(List.of(new RunSize(4, 20_000), new RunSize(5, 25_000)), 5, 20_000));
  }

  @Test
  void runsThatHoldNoRecords_areOneStepToTheSettledRun() {
    assertEquals(List.of(9L), RollupSteps.ends(List.of(), 9, 20_000));
  }
}
