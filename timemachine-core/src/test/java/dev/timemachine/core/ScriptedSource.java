package dev.timemachine.core;

import dev.timemachine.api.EventSink;
import dev.timemachine.api.EventSource;
import dev.timemachine.api.FsEvent;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/** Delivers whatever the test has queued. */
final class ScriptedSource implements EventSource {
    final ConcurrentLinkedQueue<FsEvent> queue = new ConcurrentLinkedQueue<>();

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String unavailabilityCause() {
        return null;
    }

    @Override
    public void start() {
    }

    @Override
    public void track(int pid) {
    }

    @Override
    public int poll(EventSink sink, Duration timeout) {
        int n = 0;
        for (FsEvent e = queue.poll(); e != null; e = queue.poll()) {
            sink.accept(e);
            n++;
        }
        if (n == 0) {
            LockSupport.parkNanos(Math.min(timeout.toNanos(), 1_000_000));
        }
        return n;
    }

    @Override
    public long droppedRecords() {
        return 0;
    }

    @Override
    public void close() {
    }
}
