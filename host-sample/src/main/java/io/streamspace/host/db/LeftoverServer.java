package io.streamspace.host.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a host that was killed left on the embedded PostgreSQL's folder: its server still running
 * ({@code kill -9} stops the JVM, not the server it started), which holds the folder so that no
 * later start could use it; or, when the server was killed too, a {@code postmaster.pid} naming a
 * process PostgreSQL would count alive though it is not a server of the folder.
 */
final class LeftoverServer {

  private static final Logger log = LoggerFactory.getLogger(LeftoverServer.class);

  /** The embedded server's own lock file, held by the host using the folder while it runs. */
  private static final String HOST_LOCK_FILE = "epg-lock";

  private static final String PID_FILE = "postmaster.pid";

  /** A smart shutdown ends as soon as the dead host's connections are gone; it also checkpoints. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private LeftoverServer() {}

  /**
   * Makes {@code pgDir} ready for a start, while no running host holds it: stops the PostgreSQL
   * that {@code postmaster.pid} names when it is alive and serves that very folder, logging one
   * line; removes the pid file when no process works in the folder at all, logging one line.
   *
   * <p>PostgreSQL replaces a pid file itself only when {@code kill(pid, 0)} fails, so it refuses
   * to start ("lock file already exists") over a pid that is a zombie (a server killed within the
   * second, not yet reaped by its new parent) or that another program took since. Neither serves
   * the folder; and when no live process works in it, no process of an old server is left to use
   * its shared memory either (PostgreSQL's second check, which a process that has exited passes:
   * a zombie has no working directory). A folder some live process works in, without being its
   * server, is left to PostgreSQL, which says what it finds.
   */
  static void stopIfAny(Path pgDir) {
    Optional<Long> pid = postmasterPid(pgDir);
    if (pid.isEmpty()) {
      return;
    }
    try (FileChannel channel =
            FileChannel.open(
                pgDir.resolve(HOST_LOCK_FILE),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      if (lock == null) {
        throw anotherHost(pgDir);
      }
      // held while deciding, so that no host starting meanwhile writes the file removed here
      Optional<ProcessHandle> server =
          ProcessHandle.of(pid.get()).filter(process -> servesFolder(process, pgDir));
      if (server.isPresent()) {
        stop(server.get(), pgDir);
      } else if (canTellWorkingFolders() && noProcessWorksIn(pgDir)) {
        Files.deleteIfExists(pgDir.resolve(PID_FILE));
        log.info(
            "Removed the stale {} in {}: its pid {} is no server of the folder (exited, a zombie"
                + " or another program) and no process works there",
            PID_FILE,
            pgDir,
            pid.get());
      }
    } catch (OverlappingFileLockException e) {
      throw anotherHost(pgDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check whether another host uses " + pgDir, e);
    }
  }

  private static void stop(ProcessHandle process, Path pgDir) {
    // SIGTERM: PostgreSQL's smart shutdown, which waits for clients (the dead host has none)
    process.destroy();
    try {
      process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException(
          "PostgreSQL (pid "
              + process.pid()
              + ") still runs on "
              + pgDir
              + " after "
              + STOP_TIMEOUT.toSeconds()
              + " s; stop it, then start the host again",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while stopping PostgreSQL on " + pgDir, e);
    }
    log.warn(
        "Stopped the embedded PostgreSQL (pid {}) that a host which did not shut down left"
            + " running on {}; starting it again",
        process.pid(),
        pgDir);
  }

  /** The first line of {@code postmaster.pid}, when there is one. */
  private static Optional<Long> postmasterPid(Path pgDir) {
    try {
      List<String> lines = Files.readAllLines(pgDir.resolve(PID_FILE));
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      // unreadable: PostgreSQL will say what is wrong with it
      return Optional.empty();
    }
  }

  /**
   * True for a live {@code postgres} process whose working directory is {@code pgDir}: a
   * postmaster works in its data folder, so a pid reused by any other process does not match.
   * Read from Linux's {@code /proc} (the host ships Linux binaries only); elsewhere false.
   */
  private static boolean servesFolder(ProcessHandle process, Path pgDir) {
    boolean isPostgres =
        process.isAlive()
            && process
                .info()
                .command()
                .map(command -> Path.of(command).getFileName().toString().equals("postgres"))
                .orElse(false);
    return isPostgres && worksIn(process.pid(), pgDir);
  }

  /**
   * Whether no live process but this one works in {@code pgDir}: every process of a server
   * (postmaster and backends) works in its data folder until it exits.
   */
  private static boolean noProcessWorksIn(Path pgDir) {
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(process -> process.pid() != self)
        .noneMatch(process -> worksIn(process.pid(), pgDir));
  }

  /**
   * Whether {@code /proc} tells working directories here (Linux), so that finding none in a
   * folder means there is none, not that it could not be read.
   */
  private static boolean canTellWorkingFolders() {
    return Files.isDirectory(Path.of("/proc/self/cwd"));
  }

  /**
   * Whether the process works in {@code pgDir}; false when it cannot be told: a process of
   * another user (which no server of this user's folder is), a zombie (it has no working
   * directory any more), one gone.
   */
  private static boolean worksIn(long pid, Path pgDir) {
    try {
      Path workingDir = Path.of("/proc", Long.toString(pid), "cwd").toRealPath();
      return workingDir.equals(pgDir.toRealPath());
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  private static Database.Refused anotherHost(Path pgDir) {
    return new Database.Refused(
        "Another host is running on " + pgDir + "; stop it or give this one another --data-dir");
  }
}
