package dev.timemachine.bench.pipeline;

import dev.timemachine.api.FsEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A stream of synthetic events: the ones that set the tree up, then as many writes as asked for. */
abstract class Workload {
    final SplittableRandom random = new SplittableRandom(42);

    /** Events that create the files the writes go to (directories and creates). */
    abstract List<FsEvent> setup(Fixture f);

    /** The next write. */
    abstract FsEvent next(Fixture f);

    List<FsEvent> next(Fixture f, int n) {
        List<FsEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next(f));
        }
        return out;
    }

    /**
     * 64-byte writes, each appended to one of {@code files} files (chosen at random) in directories of 100
     * files. Payloads are text-like lines, each made unique by a counter, as build and test output is.
     */
    static final class SmallWrites extends Workload {
        static final int PAYLOAD = 64;
        private static final String[] WORDS = {"the", "build", "test", "error", "warning", "compile", "module",
            "class", "target", "INFO", "DEBUG", "passed", "failed", "java", "src", "main", "=", "->", "{", "}", "ms"};
        final int files;
        final long[] sizes;
        private final byte[][] paths;
        private final byte[] text;
        private long counter;

        SmallWrites(int files) {
            this.files = files;
            this.sizes = new long[files];
            this.paths = new byte[files][];
            StringBuilder s = new StringBuilder();
            while (s.length() < (1 << 20)) {
                s.append(random.nextInt(4) == 0 ? Integer.toString(random.nextInt(100_000))
                        : WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(12) == 0 ? '\n' : ' ');
            }
            text = s.toString().getBytes(StandardCharsets.US_ASCII);
        }

        static String dir(int i) {
            return String.format("d%03d", i / 100);
        }

        static String name(int i) {
            return String.format("d%03d/file-%05d.log", i / 100, i);
        }

        @Override
        List<FsEvent> setup(Fixture f) {
            List<FsEvent> out = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                if (i % 100 == 0) {
                    out.add(f.mkdir(f.path(dir(i))));
                }
                paths[i] = f.path(name(i));
                out.add(f.create(paths[i]));
            }
            return out;
        }

        @Override
        FsEvent next(Fixture f) {
            int file = random.nextInt(files);
            int from = random.nextInt(text.length - PAYLOAD);
            byte[] payload = java.util.Arrays.copyOfRange(text, from, from + PAYLOAD);
            byte[] stamp = Long.toString(counter++).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(stamp, 0, payload, 0, stamp.length);
            payload[PAYLOAD - 1] = '\n';
            FsEvent e = f.write(paths[file], sizes[file], payload);
            sizes[file] += PAYLOAD;
            return e;
        }
    }

    /** {@code dd bs=4k}: 4 KiB writes appended to one growing file, random bytes (or zeros, as /dev/zero). */
    static final class Dd extends Workload {
        static final int BLOCK = 4096;
        private final boolean zeros;
        private byte[] path;
        private long offset;

        Dd(boolean zeros) {
            this.zeros = zeros;
        }

        @Override
        List<FsEvent> setup(Fixture f) {
            path = f.path("dd.out");
            return List.of(f.create(path));
        }

        @Override
        FsEvent next(Fixture f) {
            byte[] payload = new byte[BLOCK];
            if (!zeros) {
                fill(random, payload);
            }
            FsEvent e = f.write(path, offset, payload);
            offset += BLOCK;
            return e;
        }
    }

    static void fill(SplittableRandom random, byte[] b) {
        int i = 0;
        for (; i + 8 <= b.length; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        for (; i < b.length; i++) {
            b[i] = (byte) random.nextInt();
        }
    }
}
