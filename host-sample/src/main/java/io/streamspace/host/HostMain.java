package io.streamspace.host;

import io.streamspace.host.logging.LogFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Entry point of the reference host ({@code java -jar host-sample.jar}). The only class that
 * prints to stdout: the generated admin token, where the host serves and logs, and the demo's
 * sign-in links to the pages and curl lines; and to stderr the one line saying why the host
 * refused to start (its stack trace too with {@code --debug} or {@code STREAMSPACE_DEBUG=true}).
 * Everything else is logged to the data folder's {@code logs/host.log}; the console shows only
 * warnings and errors.
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
    Map<String, String> environment = System.getenv();
    LogFormat format;
    HostOptions options;
    try {
      format = line.logFormat(environment);
      options = line.toOptions();
    } catch (HostCommandLine.UsageException e) {
      // before logging is set up: the operator's console is where this goes
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    boolean debug = line.debug(environment);
    Path logFile = ConsoleLogging.toFile(options.dataDir().resolve("logs"), format, debug);
    Host host;
    try {
      host = Host.start(options);
    } catch (RuntimeException e) {
      System.err.println("error: " + refusal(e));
      if (debug) {
        e.printStackTrace();
      }
      System.exit(1);
      return;
    }
    // the host stops itself, in order, when the JVM exits (SIGTERM): Host's shutdown hook
    adminTokenLine(host).ifPresent(out::println);
    out.println("Plugins page: " + host.url() + "/admin/plugins (sign in with the admin token)");
    out.println(readyLine(host, logFile));
    if (line.demo) {
      try {
        Demo.run(host, options.dataDir()).forEach(out::println);
      } catch (IOException e) {
        System.err.println(
            "error: the demo could not keep its anchor in "
                + options.dataDir()
                + ": "
                + e.getMessage());
      }
    }
  }

  /** The line saying the host serves: where to reach it, where it listens, where it logs. */
  static String readyLine(Host host, Path logFile) {
    return "Host ready: "
        + host.url()
        + "/api/health ("
        + HttpWiring.listening(host.listenAddress())
        + "; log: "
        + logFile
        + ")";
  }

  /**
   * Why the host did not start, in one line: what the operator must change when the host said
   * so ({@link Host.StartRefused}), else each cause's message.
   */
  static String refusal(RuntimeException e) {
    if (e instanceof Host.StartRefused) {
      return e.getMessage();
    }
    StringBuilder line = new StringBuilder("the host could not start");
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      if (line.indexOf(message) < 0) {
        line.append(": ").append(message);
      }
    }
    return line.toString().replaceAll("\\s*\\R\\s*", " ");
  }

  /**
   * What the operator is told about the generated admin token: the token on the start that
   * created it, that it exists on later ones; nothing when {@code BILLING_ADMIN_TOKEN} is set.
   */
  static Optional<String> adminTokenLine(Host host) {
    return host.settledAdminToken().announcement();
  }
}
