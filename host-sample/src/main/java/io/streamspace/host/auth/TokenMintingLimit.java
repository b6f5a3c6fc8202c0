package io.streamspace.host.auth;

import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import java.time.Clock;
import java.time.Duration;

/**
 * How many tokens one admin may mint ({@code POST /api/admin/tokens}): {@link #MAX_TOKENS} within
 * {@link #WINDOW} of the first, per admin user id and node; more answer 429 {@code
 * too_many_tokens} with {@code Retry-After}. Enough to provision users by script; a leaked admin
 * token cannot fill the token table at speed.
 */
public final class TokenMintingLimit {

  public static final int MAX_TOKENS = 60;
  public static final Duration WINDOW = Duration.ofMinutes(1);

  /** Admins remembered at most; admins are few, this bounds memory all the same. */
  private static final int MAX_ADMINS = 10_000;

  private final WindowCounts minted;

  public TokenMintingLimit(Clock clock) {
    this.minted = new WindowCounts(clock, MAX_TOKENS, WINDOW, MAX_ADMINS);
  }

  /**
   * Checks that {@code adminId} may mint one more, before anything is done.
   *
   * @throws ApiException 429 when it minted its {@link #MAX_TOKENS} in this window
   */
  void require(Context ctx, String adminId) {
    minted
        .retryAfter(adminId)
        .ifPresent(
            wait -> {
              throw WindowCounts.tooMany(
                  ctx,
                  wait,
                  "too_many_tokens",
                  seconds ->
                      "at most "
                          + MAX_TOKENS
                          + " tokens a minute may be issued by one admin; retry in "
                          + seconds
                          + " s");
            });
  }

  /** Counts a token {@code adminId} minted. */
  void minted(String adminId) {
    minted.record(adminId);
  }
}
