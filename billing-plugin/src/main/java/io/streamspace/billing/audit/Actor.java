package io.streamspace.billing.audit;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Who made a change: a user acting on their organization, the platform admin, the platform (an
 * event it sent), a job of the plugin, or a Stripe webhook; with the user's, job's or Stripe
 * event's id where there is one.
 */
public record Actor(Type type, String id) {

  /** The kinds of actor, stored by their lower-case name. */
  public enum Type {
    USER,
    ADMIN,
    PLATFORM,
    JOB,
    STRIPE;

    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a stored or requested name ({@code admin}), if it is one. */
    public static Optional<Type> named(String value) {
      for (Type type : values()) {
        if (type.value().equals(value)) {
          return Optional.of(type);
        }
      }
      return Optional.empty();
    }
  }

  public Actor {
    Objects.requireNonNull(type, "type");
  }

  public static Actor user(String userId) {
    return new Actor(Type.USER, userId);
  }

  public static Actor admin(String userId) {
    return new Actor(Type.ADMIN, userId);
  }

  public static Actor platform() {
    return new Actor(Type.PLATFORM, null);
  }

  public static Actor job(String jobName) {
    return new Actor(Type.JOB, jobName);
  }

  public static Actor stripe(String stripeEventId) {
    return new Actor(Type.STRIPE, stripeEventId);
  }
}
