package io.streamspace.host.journal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/** What a host node calls itself in leases, consumer groups and as the Quartz instance id. */
public final class NodeName {

  private NodeName() {}

  /**
   * Host name, process id (what an operator kills) and a random part (restarts differ), e.g.
   * {@code billing-1-4242-9f2c1a7e}.
   */
  public static String ofThisProcess() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "host";
    }
    long pid = ProcessHandle.current().pid();
    return host + "-" + pid + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
