package dev.timemachine.core;

import dev.timemachine.api.TimeMachineException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Who may open a state dir, whatever the engine (LMDB itself would let two writers in): one process that may
 * write (recovery and compaction assume they are alone), or any number that only read, on a lock file in the
 * state dir (an exclusive or a shared {@code fcntl} lock). The kernel releases it if the process dies.
 */
final class StateDirLock implements AutoCloseable {
    private static final String FILE = "lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * The lock for writing, alone.
     *
     * @throws TimeMachineException if another process has the state dir open, or this one does
     */
    static StateDirLock acquire(Path dir) {
        try {
            return lock(dir, false);
        } catch (NoSuchFileException e) {
            throw new TimeMachineException("cannot lock state dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The lock for reading, beside other readers. Empty if the state dir has no lock file yet (it has never
     * been opened for writing; the caller opens it that way instead).
     *
     * @throws TimeMachineException if a process has the state dir open for writing, or this one has it open
     */
    static Optional<StateDirLock> acquireShared(Path dir) {
        try {
            return Optional.of(lock(dir, true));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The lock file locked, shared or alone; a missing lock file is the caller's to judge. */
    private static StateDirLock lock(Path dir, boolean shared) throws NoSuchFileException {
        FileChannel ch = null;
        try {
            ch = shared ? FileChannel.open(dir.resolve(FILE), StandardOpenOption.READ)
                    : FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, shared);
            if (l == null) {
                throw new TimeMachineException(!shared && readersOnly(dir)
                        ? "state dir " + dir + " is being read by another process (a verify or an export?); try again when it is done"
                        : inUse(dir));
            }
            return new StateDirLock(ch, l);
        } catch (NoSuchFileException e) {
            throw e;
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

    private static String inUse(Path dir) {
        return "state dir " + dir + " is in use by another process (a running record?)";
    }

    /** Whether the processes that keep {@code dir} from being locked alone all read it (they hold shared locks). */
    private static boolean readersOnly(Path dir) {
        try (FileChannel ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.READ)) {
            FileLock shared = ch.tryLock(0, Long.MAX_VALUE, true);
            if (shared != null) {
                shared.release();
                return true;
            }
            return false;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
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
