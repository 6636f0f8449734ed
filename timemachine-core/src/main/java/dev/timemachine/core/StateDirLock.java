package dev.timemachine.core;

import dev.timemachine.api.TimeMachineException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process at a time opens a state dir, whatever the engine (LMDB itself would let two processes in):
 * recovery and compaction assume they are alone. The lock is released by the kernel if the process dies.
 */
final class StateDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static StateDirLock acquire(Path dir) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                throw new TimeMachineException("state dir " + dir + " is in use by another process (a running record?)");
            }
            return new StateDirLock(ch, l);
        } catch (OverlappingFileLockException e) {
            close(ch);
            throw new TimeMachineException("state dir " + dir + " is already open in this process");
        } catch (IOException e) {
            close(ch);
            throw new TimeMachineException("cannot lock state dir " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    private static void close(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing; the first error is the one reported
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it as well
        }
        close(channel);
    }
}
