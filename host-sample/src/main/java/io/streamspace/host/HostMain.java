package io.streamspace.host;

/** Entry point of the reference host. (Skeleton: filled in by the host work.) */
public final class HostMain {
  private HostMain() {}

  public static void main(String[] args) {}
}
