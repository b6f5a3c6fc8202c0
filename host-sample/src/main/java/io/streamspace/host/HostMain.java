package io.streamspace.host;

import java.io.PrintStream;

/**
 * Entry point of the reference host ({@code java -jar host-sample.jar}). The only class that
 * prints to stdout: the generated admin token, and the demo's curl lines.
 */
public final class HostMain {

  private HostMain() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    HostCommandLine line;
    try {
      line = HostCommandLine.parse(args);
    } catch (HostCommandLine.UsageException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(HostCommandLine.USAGE);
      System.exit(2);
      return;
    }
    if (line.help) {
      out.println(HostCommandLine.USAGE);
      return;
    }
    Host host = Host.start(line.toOptions());
    Runtime.getRuntime().addShutdownHook(new Thread(host::close, "host-shutdown"));
    if (host.adminTokenGenerated()) {
      out.println("Admin token (shown once; set BILLING_ADMIN_TOKEN to choose your own): " + host.adminToken());
    }
    out.println("Host ready: http://localhost:" + host.port() + "/api/health");
    if (line.demo) {
      Demo.run(host).forEach(out::println);
    }
  }
}
