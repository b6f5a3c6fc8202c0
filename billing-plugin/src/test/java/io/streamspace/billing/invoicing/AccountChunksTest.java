package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.invoicing.AccountChunks.Draft;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountChunksTest {

  @Test
  void draftsOfAnAccountShareAChunk() {
    // ann's two drafts (1 and 5) would be in two chunks of two in id order
    List<Draft> drafts =
        List.of(
            new Draft(1, "ann"),
            new Draft(2, "bob"),
            new Draft(3, "cy"),
            new Draft(4, "dee"),
            new Draft(5, "ann"),
            new Draft(6, "eve"));
    assertEquals(
        List.of(List.of(1L, 5L), List.of(2L, 3L), List.of(4L, 6L)), AccountChunks.of(drafts, 2));
  }

  @Test
  void aChunkHoldsMoreThanItsSizeRatherThanSplitAnAccount() {
    List<Draft> drafts =
        List.of(new Draft(1, "bob"), new Draft(2, "ann"), new Draft(3, "ann"), new Draft(4, "cy"));
    assertEquals(List.of(List.of(1L, 2L, 3L), List.of(4L)), AccountChunks.of(drafts, 2));
  }

  @Test
  void eachChunksIdsAscendEvenWhenAnAccountsLaterDraftComesFirst() {
    List<Draft> drafts = List.of(new Draft(9, "ann"), new Draft(4, "bob"), new Draft(2, "ann"));
    assertEquals(List.of(List.of(2L, 9L), List.of(4L)), AccountChunks.of(drafts, 1));
  }

  @Test
  void noDraftsNoChunks() {
    assertEquals(List.of(), AccountChunks.of(List.of(), 250));
  }
}
