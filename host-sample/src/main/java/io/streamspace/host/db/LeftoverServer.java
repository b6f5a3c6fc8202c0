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
 * An embedded PostgreSQL left running by a host that was killed ({@code kill -9} stops the JVM,
 * not the server it started): it holds the data folder, so no later start could use it.
 */
final class LeftoverServer {

  private static final Logger log = LoggerFactory.getLogger(LeftoverServer.class);

  /** The embedded server's own lock file, held by the host using the folder while it runs. */
  private static final String HOST_LOCK_FILE = "epg-lock";

  /** A smart shutdown ends as soon as the dead host's connections are gone; it also checkpoints. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private LeftoverServer() {}

  /**
   * Stops the PostgreSQL that {@code pgDir/postmaster.pid} names when it is alive, serves that
   * very folder and no running host holds the folder; logs one line saying so. A pid file whose
   * process is gone is left to PostgreSQL, which replaces a stale one itself.
   */
  static void stopIfAny(Path pgDir) {
    Optional<ProcessHandle> server =
        postmasterPid(pgDir)
            .flatMap(ProcessHandle::of)
            .filter(process -> servesFolder(process, pgDir));
    if (server.isEmpty()) {
      return;
    }
    requireNoHostUsing(pgDir);
    ProcessHandle process = server.get();
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
      List<String> lines = Files.readAllLines(pgDir.resolve("postmaster.pid"));
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
    if (!isPostgres) {
      return false;
    }
    try {
      Path workingDir = Path.of("/proc", Long.toString(process.pid()), "cwd").toRealPath();
      return workingDir.equals(pgDir.toRealPath());
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Fails when a running host holds the folder: its server is not a leftover. */
  private static void requireNoHostUsing(Path pgDir) {
    try (FileChannel channel =
            FileChannel.open(
                pgDir.resolve(HOST_LOCK_FILE),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      if (lock == null) {
        throw anotherHost(pgDir);
      }
    } catch (OverlappingFileLockException e) {
      throw anotherHost(pgDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check whether another host uses " + pgDir, e);
    }
  }

  private static Database.Refused anotherHost(Path pgDir) {
    return new Database.Refused(
        "Another host is running on " + pgDir + "; stop it or give this one another --data-dir");
  }
}
