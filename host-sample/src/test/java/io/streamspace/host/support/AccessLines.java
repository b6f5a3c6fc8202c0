package io.streamspace.host.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.streamspace.host.logging.AccessLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** What the host logs for one request, up to and with its access line. */
public final class AccessLines {

  private AccessLines() {}

  /** Every event logged (any logger) until the access line of one request has come. */
  private static final class Recorder extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    final CountDownLatch accessLine = new CountDownLatch(1);

    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      events.add(event);
      if (event.getLoggerName().equals(AccessLog.LOGGER)) {
        accessLine.countDown();
      }
    }
  }

  /** Runs one request and answers what was logged up to and with its access line. */
  public static List<ILoggingEvent> loggedFor(Runnable request) throws InterruptedException {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Recorder recorder = new Recorder();
    recorder.start();
    root.addAppender(recorder);
    try {
      request.run();
      // the line is written once the answer is sent: wait for it, not for a time
      assertTrue(recorder.accessLine.await(10, TimeUnit.SECONDS), "no access line");
    } finally {
      root.detachAppender(recorder);
    }
    return recorder.events;
  }

  /** The one access line among {@code events}. */
  public static ILoggingEvent accessLine(List<ILoggingEvent> events) {
    List<ILoggingEvent> lines =
        events.stream().filter(e -> e.getLoggerName().equals(AccessLog.LOGGER)).toList();
    assertEquals(1, lines.size(), lines.toString());
    return lines.get(0);
  }
}
