package dev.timemachine.core;

import java.util.concurrent.atomic.AtomicLong;

/** A ticker the test moves: by hand, and optionally by a fixed step at every reading. Thread-safe. */
public final class FakeTicker implements Ticker {
    private final AtomicLong now;
    private final long stepPerRead;

    public FakeTicker(long startNs, long stepPerRead) {
        this.now = new AtomicLong(startNs);
        this.stepPerRead = stepPerRead;
    }

    @Override
    public long read() {
        return now.getAndAdd(stepPerRead);
    }

    public void advance(long ns) {
        now.addAndGet(ns);
    }
}
