package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.RecordingPlugin;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 26, point 6: HTTP listens on 127.0.0.1 unless told otherwise, and the ready line says
 * where. The other address is one of this machine's own (not loopback), when it has one.
 */
class ListeningAddressTest extends HostTestBase {

  @Test
  void byDefaultTheHostListensOnLoopbackOnly_andItsReadyLineSaysSo() throws Exception {
    assertEquals("127.0.0.1", host.listenAddress());
    assertTrue(reachable(InetAddress.getByName("127.0.0.1"), host.port()));
    assertEquals(
        "Host ready: http://localhost:"
            + host.port()
            + "/api/health (listening on 127.0.0.1 only: --host 0.0.0.0 for every interface;"
            + " log: /tmp/host.log)",
        HostMain.readyLine(host, Path.of("/tmp/host.log")));
    Optional<InetAddress> other = nonLoopbackAddress();
    assumeTrue(other.isPresent(), "this machine has no address but loopback");
    assertThrows(IOException.class, () -> reachable(other.get(), host.port()), "not from outside");
  }

  @Test
  void withHost0000TheHostListensOnEveryInterface_andItsReadyLineSaysSo() throws Exception {
    try (Host everywhere = Host.start(nodeOptions(new RecordingPlugin()).host("0.0.0.0").build())) {
      assertTrue(reachable(InetAddress.getByName("127.0.0.1"), everywhere.port()));
      assertTrue(
          HostMain.readyLine(everywhere, Path.of("host.log"))
              .contains("/api/health (listening on every interface (0.0.0.0); log: host.log)"));
      Optional<InetAddress> other = nonLoopbackAddress();
      assumeTrue(other.isPresent(), "this machine has no address but loopback");
      assertTrue(reachable(other.get(), everywhere.port()));
    }
  }

  @Test
  void aHostThatIsNoAddressOfThisMachineIsRefusedAtStartInOneLine() {
    Host.StartRefused refused =
        assertThrows(
            Host.StartRefused.class,
            () ->
                Host.start(
                    nodeOptions(new RecordingPlugin()).host("no-such-host.invalid").build()));
    assertEquals(
        "--host no-such-host.invalid is no address of this machine; 127.0.0.1 or 0.0.0.0, say",
        refused.getMessage());
  }

  private static boolean reachable(InetAddress address, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 2_000);
      return true;
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }
}
