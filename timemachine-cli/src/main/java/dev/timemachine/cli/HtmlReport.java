package dev.timemachine.cli;

import dev.timemachine.api.FileState;
import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.Replayer;
import dev.timemachine.core.Commands;
import dev.timemachine.core.HistoryEntry;
import dev.timemachine.core.PathBytes;
import dev.timemachine.core.ProgressListener;
import dev.timemachine.core.TimeMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The self-contained HTML report of one recording (docs/report.md): the page, its script and its data in one
 * file that opens from disk and asks nothing of the network. The data is what {@code log} and
 * {@code history} read (the timeline, every path's versions with the state after each, and the bytes of small
 * text files), bounded so that a recording of a million events gives a page of a few MB: past {@link #MARKS}
 * events the marks are counted in time buckets, past {@link #FILES} paths the quietest are left out, and
 * contents stop at {@link #CONTENT_BUDGET}; the page says what was left out.
 */
final class HtmlReport {
    /** Rows of the timeline: the busiest paths; the events of the others share one row. */
    static final int ROWS = 40;
    /** Up to this many events, one mark each; beyond, marks count the events of a time bucket. */
    static final int MARKS = 20_000;
    static final int BUCKETS = 1_000;
    /** Paths whose versions the page holds (the busiest first). */
    static final int FILES = 10_000;
    static final int VERSIONS_PER_FILE = 200;
    /** Paths whose histories are read together, their writers in one pass over the timeline. */
    static final int HISTORY_BATCH = 2_000;
    /** A version's bytes are embedded when they are UTF-8 text of at most this size... */
    static final int CONTENT_MAX = 64 << 10;
    /** ...until all embedded contents reach this. */
    static final int CONTENT_BUDGET = 4 << 20;

    /** Kinds of marks, in the page's order (its colours). */
    static final List<String> KINDS = List.of("write", "create", "delete", "rename", "mode", "link", "lost");

    private static final String TEMPLATE = "report/report.html";
    private static final String DIFF = "report/diff-9.0.0.min.js";

    /** What a report holds, for the command's summary line. */
    record Summary(long events, int marks, boolean bucketed, int files, int leftOutFiles, int contents, long bytes,
                   List<Map.Entry<String, Integer>> busiest) {
    }

    /** How many of the busiest paths a summary names. */
    static final int BUSIEST = 10;

    private HtmlReport() {
    }

    static Summary write(TimeMachine tm, RecordingInfo rec, Path out, ProgressListener progress) throws IOException {
        progress.step("reading the timeline");
        Events events = new Events();
        Map<Integer, Map<String, Object>> processes = new LinkedHashMap<>();
        tm.timeline(rec, Long.MIN_VALUE, Long.MAX_VALUE, e -> {
            FsEvent ev = e.entry().event();
            long t = ev.timeNs() - rec.startMonoNs();
            process(processes, ev, t);
            int kind = kind(ev.op());
            if (kind >= 0) {
                events.add(t, events.path(PathBytes.display(ev.path())), kind,
                        ev.path2() != null && kind == 3 ? events.path(PathBytes.display(ev.path2())) : -1);
                if (events.size % 10_000 == 0) {
                    progress.progress(events.size, "events");
                }
            }
            return true;
        });

        // rows: the busiest paths, then one row for all the others
        Integer[] byCount = events.pathsByCount();
        int rows = Math.min(ROWS, byCount.length);
        int[] rowOf = new int[events.paths.size()];
        Arrays.fill(rowOf, rows);
        List<String> rowNames = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            rowOf[byCount[i]] = i;
            rowNames.add(events.paths.get(byCount[i]));
        }
        if (byCount.length > rows) {
            rowNames.add("(" + (byCount.length - rows) + " other paths)");
        }
        long duration = Math.max(1, (rec.endMonoNs() == 0 ? events.last() : rec.endMonoNs() - rec.startMonoNs()));
        boolean bucketed = events.size > MARKS;
        List<Object> marks = bucketed ? events.buckets(rowOf, duration) : events.marks(rowOf);

        progress.step("reading the versions of " + Math.min(FILES, byCount.length) + " paths");
        Set<String> paths = new LinkedHashSet<>();
        for (Integer p : byCount) {
            paths.add(events.paths.get(p));
        }
        // files the command never touched are in the tree too: as they were at the start and at the end
        Replayer replayer = tm.replayer(rec);
        replayer.forEachAt(rec.startMonoNs(), s -> paths.add(PathBytes.display(s.path())));
        long end = rec.endMonoNs() == 0 ? Long.MAX_VALUE : rec.endMonoNs();
        replayer.forEachAt(end, s -> paths.add(PathBytes.display(s.path())));
        Contents contents = new Contents();
        List<Object> files = new ArrayList<>();
        List<String> kept = new ArrayList<>(paths).subList(0, Math.min(FILES, paths.size()));
        int leftOut = paths.size() - kept.size();
        int[] done = {0};
        // in batches: each batch's writers come from one pass over the timeline
        for (int b = 0; b < kept.size(); b += HISTORY_BATCH) {
            List<byte[]> batch = kept.subList(b, Math.min(kept.size(), b + HISTORY_BATCH)).stream()
                    .map(PathBytes::bytes).toList();
            tm.history(rec, batch, VERSIONS_PER_FILE, (bytes, history, older) -> {
                if (!history.isEmpty()) {
                    files.add(file(rec, bytes, history, older, contents, replayer));
                }
                if (++done[0] % 500 == 0) {
                    progress.progress(done[0], "paths");
                }
            });
        }

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("header", header(rec));
        data.put("stateDir", tm.stateDir().toAbsolutePath().toString());
        data.put("kinds", KINDS);
        data.put("durationNs", duration);
        data.put("rows", rowNames);
        data.put("bucketed", bucketed);
        data.put("bucketNs", bucketed ? Math.max(1, duration / BUCKETS) : 0);
        data.put("events", events.size);
        data.put("marks", marks);
        data.put("processes", new ArrayList<>(processes.values()));
        data.put("files", files);
        data.put("leftOutFiles", leftOut);
        data.put("contents", contents.texts);
        data.put("leftOutContents", contents.leftOut);
        data.put("contentMax", CONTENT_MAX);

        String html = resource(TEMPLATE)
                .replace("/*TM_DIFF*/", resource(DIFF))
                // a string in the data must not end the script element it sits in
                .replace("\"TM_DATA\"", Json.write(data).replace("</", "<\\/"));
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName() + "-", ".tmp");
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        progress.finished();
        List<Map.Entry<String, Integer>> busiest = new ArrayList<>();
        for (int i = 0; i < Math.min(BUSIEST, byCount.length); i++) {
            busiest.add(Map.entry(events.paths.get(byCount[i]), events.counts[byCount[i]]));
        }
        return new Summary(events.size, marks.size(), bucketed, files.size(), leftOut, contents.texts.size(),
                Files.size(out), busiest);
    }

    /** A path's entry: its versions (the latest ones), each [time, type, size, mode, target, approximate, writer, content]. */
    private static Map<String, Object> file(RecordingInfo rec, byte[] bytes, List<HistoryEntry> history, int older,
                                            Contents contents, Replayer replayer) {
        List<Object> versions = new ArrayList<>();
        for (HistoryEntry h : history) {
            long t = h.version().timeNs();
            FileState s = h.after().orElse(null);
            List<Object> v = new ArrayList<>();
            v.add(Math.max(0, t - rec.startMonoNs()));
            v.add(s == null ? "x" : switch (s.type()) {
                case REGULAR -> "f";
                case DIRECTORY -> "d";
                case SYMLINK -> "l";
            });
            v.add(s == null ? 0 : s.size());
            v.add(s == null ? 0 : s.mode() & 07777);
            v.add(s == null || s.target() == null ? null : PathBytes.display(s.target()));
            v.add(h.approximate());
            v.add(h.writer());
            v.add(s != null && s.type() == FileState.Type.REGULAR && !s.approximate()
                    ? contents.of(replayer, bytes, t, s.size()) : -1);
            versions.add(v);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("path", PathBytes.display(bytes));
        f.put("versions", versions);
        f.put("olderVersions", older);
        return f;
    }

    /** The mark kind of an event, or -1 for those that are not marks (exec and fork make the process lanes). */
    static int kind(Op op) {
        return switch (op) {
            case WRITE, TRUNCATE, FALLOCATE, COPY, REREAD -> 0;
            case CREATE, MKDIR, SYMLINK, SPECIAL -> 1;
            case UNLINK, RMDIR -> 2;
            case RENAME, EXCHANGE -> 3;
            case CHMOD -> 4;
            case LINK -> 5;
            case LOST -> 6;
            case EXEC, FORK -> -1;
        };
    }

    /** A process lane: from its fork (or first event) to its last event, with what it ran and its parent. */
    private static void process(Map<Integer, Map<String, Object>> processes, FsEvent e, long t) {
        Map<String, Object> p = processes.get(e.pid());
        if (p == null) {
            p = new LinkedHashMap<>();
            p.put("pid", e.pid());
            p.put("parent", null);
            p.put("command", null);
            p.put("start", t);
            p.put("end", t);
            processes.put(e.pid(), p);
        }
        p.put("end", Math.max((Long) p.get("end"), t));
        if (e.op() == Op.EXEC) {
            p.put("command", Commands.line(e));
            if (p.get("parent") == null && e.mode() > 0) {
                p.put("parent", e.mode());
            }
        } else if (e.op() == Op.FORK) {
            p.put("parent", e.mode());
            Map<String, Object> parent = processes.get(e.mode());
            if (parent != null && p.get("command") == null) {
                p.put("command", parent.get("command")); // until it execs
            }
        }
    }

    private static Map<String, Object> header(RecordingInfo r) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("id", r.id());
        h.put("command", String.join(" ", r.command()));
        h.put("exitCode", r.exitCode() < 0 ? null : r.exitCode());
        h.put("start", Instant.ofEpochSecond(0, r.startWallNs()).toString());
        h.put("startMonoNs", r.startMonoNs());
        h.put("durationNs", r.endMonoNs() == 0 ? null : r.endMonoNs() - r.startMonoNs());
        h.put("capture", r.capture());
        h.put("roots", r.roots());
        h.put("complete", r.complete());
        Map<String, Long> c = r.counters();
        h.put("events", c.getOrDefault("events", 0L));
        h.put("bytes", c.getOrDefault("bytes", 0L));
        h.put("dropped", c.getOrDefault("dropped", 0L));
        h.put("approximate", c.getOrDefault("approximate", 0L));
        h.put("incomplete", r.incompleteness().orElse(null));
        return h;
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The events, columnar: time since the start, path index, kind and, for renames, the target's index. */
    private static final class Events {
        final List<String> paths = new ArrayList<>();
        final Map<String, Integer> ids = new HashMap<>();
        int[] counts = new int[64];
        long[] times = new long[1024];
        int[] pathIds = new int[1024];
        byte[] kinds = new byte[1024];
        int size;

        int path(String p) {
            Integer id = ids.get(p);
            if (id == null) {
                id = paths.size();
                ids.put(p, id);
                paths.add(p);
                if (id == counts.length) {
                    counts = Arrays.copyOf(counts, id * 2);
                }
            }
            return id;
        }

        void add(long t, int path, int kind, int path2) {
            if (size == times.length) {
                times = Arrays.copyOf(times, size * 2);
                pathIds = Arrays.copyOf(pathIds, size * 2);
                kinds = Arrays.copyOf(kinds, size * 2);
            }
            times[size] = t;
            pathIds[size] = path;
            kinds[size] = (byte) kind;
            size++;
            counts[path]++;
            if (path2 >= 0) {
                counts[path2]++;
            }
        }

        long last() {
            return size == 0 ? 0 : times[size - 1];
        }

        Integer[] pathsByCount() {
            Integer[] order = new Integer[paths.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingInt((Integer i) -> -counts[i]).thenComparing(paths::get));
            return order;
        }

        /** One mark an event: [time, row, kind]. */
        List<Object> marks(int[] rowOf) {
            List<Object> marks = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                marks.add(List.of(times[i], rowOf[pathIds[i]], (int) kinds[i]));
            }
            return marks;
        }

        /** One mark a bucket, row and kind that has events: [bucket start, row, kind, events]. */
        List<Object> buckets(int[] rowOf, long duration) {
            long width = Math.max(1, duration / BUCKETS);
            Map<Long, int[]> counted = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                long bucket = Math.min(BUCKETS, Math.max(0, times[i]) / width);
                long key = (bucket * (ROWS + 1) + rowOf[pathIds[i]]) * KINDS.size() + kinds[i];
                counted.computeIfAbsent(key, k -> new int[1])[0]++;
            }
            List<Object> marks = new ArrayList<>(counted.size());
            counted.forEach((key, n) -> {
                long kind = key % KINDS.size();
                long row = key / KINDS.size() % (ROWS + 1);
                long bucket = key / KINDS.size() / (ROWS + 1);
                marks.add(List.of(bucket * width, row, kind, n[0]));
            });
            return marks;
        }
    }

    /** The embedded contents: small UTF-8 text only, each distinct text once, until the budget is spent. */
    private static final class Contents {
        final List<String> texts = new ArrayList<>();
        final Map<String, Integer> ids = new HashMap<>();
        long used;
        int leftOut;

        /** The index of the file's text at {@code t}, -2 when it is not small text, -3 when over the budget. */
        int of(Replayer replayer, byte[] path, long t, long size) {
            if (size > CONTENT_MAX) {
                return -2;
            }
            if (used + size > CONTENT_BUDGET) {
                leftOut++;
                return -3;
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream((int) size);
            try {
                replayer.contentAt(path, t, buf);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String text = DiffCommand.text(buf.toByteArray());
            if (text == null) {
                return -2;
            }
            Integer id = ids.get(text);
            if (id == null) {
                id = texts.size();
                texts.add(text);
                ids.put(text, id);
                used += size;
            }
            return id;
        }
    }
}
