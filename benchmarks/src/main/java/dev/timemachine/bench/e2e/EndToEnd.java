package dev.timemachine.bench.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * End-to-end overhead of {@code timemachine record} on real work, next to the peers people use today
 * (strace with payloads, ReproZip, fatrace), measured in one run: every workload alone and under each
 * recorder, alternating, the order rotated every repetition; the recorder is a fresh {@code java -jar}
 * per run, so JVM start-up, BPF load, baseline and the final compaction are all counted. After the last
 * recorded run of each workload the final state is exported ({@code --time latest}) and compared byte for
 * byte with the real tree.
 *
 * <p>Pure JDK, so it runs from source as well as from the benchmarks jar; needs root, gcc, /usr/bin/time
 * and the peers it measures. Usage, from the repository root:
 *
 * <pre>
 * java benchmarks/src/main/java/dev/timemachine/bench/e2e/EndToEnd.java [--jar timemachine-cli/target/timemachine.jar]
 *     [--work /tmp/tm-e2e] [--reps 5] [--peer-reps 3] [--startup-reps 10]
 *     [--workloads startup,maven,tar,sqlite,git,mixed,dd,smallwrites] [--peers strace,reprozip,fatrace|none]
 *     [--jvm-opts "-Xmx2g ..."] [--launcher bin/timemachine] [--capture-jar benchmarks/target/benchmarks.jar]
 *     [--verify last|all|none]
 * </pre>
 *
 * {@code --launcher SCRIPT} runs the recorder the way users do, through the checkout's launcher script (its
 * JVM options, AppCDS archive): the script and the jar are copied into {@code WORK/launcher/} (so a rebuild of the
 * checkout does not change them mid-run) and {@code --jvm-opts} reach it as {@code TIMEMACHINE_JAVA_OPTS}. The
 * first recorded run makes the launcher's archive when there is none yet. Without it: {@code java -jar}.
 *
 * Workload sizes come from the environment (see {@code benchmarks/e2e/workload.sh}). Prints a Markdown
 * table on stdout, one line per run on stderr, and keeps runs.csv and summary.md in the work dir.
 */
public final class EndToEnd {

    enum Mode {
        ALONE("alone"), RECORD("timemachine"), CAPTURE("capture alone"), STRACE("strace"), REPROZIP("reprozip"),
        FATRACE("fatrace"), JVM("java -jar --version");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    static final List<String> ALL_WORKLOADS = List.of("startup", "maven", "tar", "sqlite", "git", "mixed", "dd", "smallwrites");

    static final Map<String, String> TITLES = Map.of(
            "startup", "`record -- true`, empty root (start-up)",
            "maven", "Maven: this project's api + core, compile, test, jar (`mvn -o package`)",
            "tar", "tar: extract 170 MB (/usr/share/doc + /usr/lib/python3.11, 11k entries), re-pack",
            "sqlite", "SQLite: 2,000 single-row INSERT transactions (python3 sqlite3)",
            "git", "git: init, 200 commits of small edits, gc --aggressive",
            "mixed", "SQLite 25,000 transactions of 20 rows, then 1,800 git commits (syscall-heavy, ~40 s)",
            "dd", "`dd if=/dev/zero bs=4k count=524288` (2 GiB)",
            "smallwrites", "1,000,000 × 64-byte `write()` (C loop)");

    /** The environment variable workload.sh takes each workload's size from; the titles give the defaults. */
    static final Map<String, String> SIZES = Map.of("sqlite", "TM_SQLITE_TXNS", "git", "TM_GIT_COMMITS",
            "dd", "TM_DD_COUNT", "smallwrites", "TM_SMALL_WRITES", "mixed", "TM_MIXED_TXNS");

    /** The workload's title, saying so when its size is not the default one the title names. */
    static String title(String workload) {
        String size = SIZES.containsKey(workload) ? System.getenv(SIZES.get(workload)) : null;
        return TITLES.get(workload) + (size == null ? "" : " — resized: " + SIZES.get(workload) + "=" + size);
    }

    /** One measured run. */
    record Run(String workload, Mode mode, int rep, double wall, double cmdWall, double lag, long maxRssKb,
               long recorderHwmKb, double cpu, double load1, Map<String, Long> counters, long outputBytes,
               String summary) {
    }

    private final Path work;
    private final Path jar;
    private final Path e2e;
    private final int reps;
    private final int peerReps;
    private final int startupReps;
    private final List<String> jvmOpts;
    /** The launcher script the recorder runs through, in its own tree; null: {@code java -jar}. */
    private Path launcher;
    /** The benchmarks jar, for the capture-only mode (CaptureOnly); null when it is not measured. */
    private Path benchJar;
    private final String verify;
    private final List<Mode> peers = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Run> runs = new ArrayList<>();
    private final Map<String, String> correctness = new LinkedHashMap<>();
    private final Map<String, Double> exportSeconds = new LinkedHashMap<>();
    private final Path stamp;
    private final Path root;
    private final Path inputs;
    private final Path state;
    private final Path out;

    private EndToEnd(Path work, Path jar, Path e2e, int reps, int peerReps, int startupReps, List<String> jvmOpts,
                     String verify) {
        this.work = work;
        this.jar = jar;
        this.e2e = e2e;
        this.reps = reps;
        this.peerReps = peerReps;
        this.startupReps = startupReps;
        this.jvmOpts = jvmOpts;
        this.verify = verify;
        this.stamp = work.resolve("bin/stamp");
        this.root = work.resolve("root");
        this.inputs = work.resolve("inputs");
        this.state = work.resolve("state");
        this.out = work.resolve("out");
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("timemachine-cli/target/timemachine.jar");
        Path work = Path.of("/tmp/tm-e2e");
        Path e2e = Path.of("benchmarks/e2e");
        int reps = 5;
        int peerReps = 3;
        int startupReps = 10;
        List<String> workloads = ALL_WORKLOADS;
        String peerList = "strace,reprozip,fatrace";
        List<String> jvmOpts = List.of();
        String verify = "last";
        Path launcher = null;
        Path captureJar = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jar" -> jar = Path.of(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--e2e" -> e2e = Path.of(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--peer-reps" -> peerReps = Integer.parseInt(args[++i]);
                case "--startup-reps" -> startupReps = Integer.parseInt(args[++i]);
                case "--workloads" -> workloads = List.of(args[++i].split(","));
                case "--peers" -> peerList = args[++i];
                case "--jvm-opts" -> {
                    String o = args[++i].trim();
                    jvmOpts = o.isEmpty() ? List.of() : List.of(o.split("\\s+"));
                }
                case "--verify" -> verify = args[++i];
                case "--launcher" -> launcher = Path.of(args[++i]);
                case "--capture-jar" -> captureJar = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i] + "; accepted: --jar JAR, --work DIR, --e2e DIR, "
                            + "--reps N, --peer-reps N, --startup-reps N, --workloads a,b, --peers a,b|none, "
                            + "--jvm-opts OPTS, --launcher SCRIPT, --capture-jar BENCHMARKS_JAR, --verify last|all|none");
                    System.exit(2);
                }
            }
        }
        for (String w : workloads) {
            if (!ALL_WORKLOADS.contains(w)) {
                System.err.println("unknown workload " + w + "; accepted: " + String.join(",", ALL_WORKLOADS));
                System.exit(2);
            }
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println(jar + " does not exist: build it with mvn -q -B -o -pl timemachine-cli -am package -DskipTests");
            System.exit(2);
        }
        if (!Files.isRegularFile(e2e.resolve("workload.sh"))) {
            System.err.println(e2e + "/workload.sh not found: run from the repository root or pass --e2e DIR");
            System.exit(2);
        }
        Files.createDirectories(work);
        // a stable copy: rebuilds of the checkout must not change the recorder mid-run
        Path stableJar = work.resolve("timemachine.jar");
        Files.copy(jar, stableJar, StandardCopyOption.REPLACE_EXISTING);
        EndToEnd b = new EndToEnd(work.toAbsolutePath(), stableJar.toAbsolutePath(), e2e.toAbsolutePath(), reps, peerReps,
                startupReps, jvmOpts, verify);
        b.notes.add("jar " + jar.toAbsolutePath() + " (" + sha(jar) + "), checkout at " + gitHead(e2e));
        if (launcher != null) {
            // the script runs the jar of the tree it is in (../timemachine-cli/target): give it a stable tree
            Path tree = work.toAbsolutePath().resolve("launcher");
            Files.createDirectories(tree.resolve("bin"));
            Files.createDirectories(tree.resolve("timemachine-cli/target"));
            b.launcher = tree.resolve("bin").resolve(launcher.getFileName());
            Files.copy(launcher, b.launcher, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            // with its mtime: the launcher's archive, keyed by it, lives on from one run of this harness to the next
            Files.copy(jar, tree.resolve("timemachine-cli/target/timemachine.jar"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
            b.notes.add("recorder run through " + launcher + " (copied to " + b.launcher + ")");
        }
        if (captureJar != null) {
            // the capture with a consumer that only decodes and counts: what the kernel side costs, in the same run
            b.benchJar = captureJar.toAbsolutePath();
            b.peers.add(Mode.CAPTURE);
        }
        if (!peerList.equals("none")) {
            for (String p : peerList.split(",")) {
                Mode m = Mode.valueOf(p.toUpperCase(Locale.ROOT));
                String exe = switch (m) {
                    case STRACE -> "strace";
                    case REPROZIP -> "reprozip";
                    case FATRACE -> "fatrace";
                    default -> throw new IllegalArgumentException("not a peer: " + p);
                };
                if (which(exe)) {
                    b.peers.add(m);
                } else {
                    b.notes.add(exe + " is not installed: not measured (apt-get install " + exe + ")");
                }
            }
        }
        b.prepare(workloads);
        for (String w : workloads) {
            b.measure(w);
        }
        String report = b.report(workloads);
        System.out.println(report);
        Files.writeString(work.resolve("summary.md"), report);
    }

    // ---------------------------------------------------------------------------------------------------------

    private void prepare(List<String> workloads) throws Exception {
        Files.createDirectories(stamp.getParent());
        Files.createDirectories(out);
        exec(List.of("cc", "-O2", "-o", stamp.toString(), e2e.resolve("stamp.c").toString()));
        exec(List.of("cc", "-O2", "-o", work.resolve("bin/noclone3").toString(), e2e.resolve("noclone3.c").toString()));
        for (String w : workloads) {
            System.err.println("preparing " + w);
            exec(List.of("sh", e2e.resolve("workload.sh").toString(), "prepare", w, inputs.toString()));
        }
        try (var writer = Files.newBufferedWriter(work.resolve("runs.csv"))) {
            writer.write("workload,mode,rep,wall_s,cmd_s,lag_s,maxrss_kb,recorder_hwm_kb,cpu_s,load1,events,bytes,"
                    + "dropped,approximate,output_bytes\n");
        }
    }

    private void measure(String w) throws Exception {
        boolean startup = w.equals("startup");
        int n = startup ? startupReps : reps;
        List<Mode> modes = new ArrayList<>(List.of(Mode.ALONE, Mode.RECORD));
        if (startup) {
            modes.add(Mode.JVM);
        } else if (peers.contains(Mode.CAPTURE)) {
            modes.add(Mode.CAPTURE); // every repetition: the comparison the recorder's own cost is judged by
        }
        System.err.println("== " + w);
        run(w, Mode.ALONE, -1); // warm-up: page cache, binaries, ~/.m2
        List<Mode> failed = new ArrayList<>();
        for (int rep = 0; rep < n; rep++) {
            List<Mode> order = new ArrayList<>(modes);
            if (!startup && rep < peerReps) {
                peers.stream().filter(m -> m != Mode.CAPTURE).forEach(order::add);
            }
            Collections.rotate(order, -rep);
            order.removeAll(failed);
            for (Mode m : order) {
                Run r;
                try {
                    r = run(w, m, rep);
                } catch (IllegalStateException e) {
                    // a peer (or the recorder) that cannot run this workload: said in the report, not fatal
                    failed.add(m);
                    String why = e.getMessage().lines().filter(l -> !l.isBlank() && !l.startsWith("\u001b"))
                            .limit(4).reduce((a, b) -> a + " / " + b).orElse("");
                    notes.add(w + " under " + m.label + " failed (rep " + rep + "), not measured further: " + why);
                    System.err.println("  " + notes.get(notes.size() - 1));
                    continue;
                }
                runs.add(r);
                appendCsv(r);
                System.err.printf(Locale.ROOT, "  %-11s rep %d %-12s %8.3f s (cmd %.3f, lag %.3f) rss %,d kB hwm %,d kB "
                                + "cpu %.2f s load %.2f %s%n", w, rep, m.label, r.wall, r.cmdWall, r.lag, r.maxRssKb,
                        r.recorderHwmKb, r.cpu, r.load1, r.summary == null ? "" : r.summary);
            }
        }
    }

    private Run run(String w, Mode mode, int rep) throws Exception {
        clean();
        String script = e2e.resolve("workload.sh").toString();
        exec(List.of("sh", script, "setup", w, root.toString(), inputs.toString()));
        Path stampFile = out.resolve("stamp");
        Path timeFile = out.resolve("time");
        Path errFile = out.resolve("stderr");
        Path peerOut = out.resolve("peer");
        Files.deleteIfExists(stampFile);
        List<String> cmd = List.of(stamp.toString(), stampFile.toString(), "sh", script, "run", w, root.toString(),
                inputs.toString());
        List<String> argv = new ArrayList<>(List.of("/usr/bin/time", "-v", "-o", timeFile.toString()));
        switch (mode) {
            case ALONE, FATRACE -> argv.addAll(cmd);
            case RECORD -> {
                if (launcher != null) {
                    argv.addAll(List.of("env", "TIMEMACHINE_JAVA_OPTS=" + String.join(" ", jvmOpts), launcher.toString()));
                } else {
                    argv.add("java");
                    argv.addAll(jvmOpts);
                    argv.addAll(List.of("-jar", jar.toString()));
                }
                argv.addAll(List.of("record", "--state-dir", state.toString(), "--path", root.toString(), "--"));
                argv.addAll(cmd);
            }
            case STRACE -> {
                // every file syscall and every write with its payload (up to 64 KiB of each buffer, escaped)
                argv.addAll(List.of("strace", "-f", "-qq", "-e", "trace=file,write,pwrite64,writev,pwritev,pwritev2",
                        "-s", "65536", "-o", peerOut.toString()));
                argv.addAll(cmd);
            }
            case REPROZIP -> {
                // over noclone3: ReproZip 1.1 aborts on clone3(), i.e. on any thread glibc 2.36 creates
                argv.addAll(List.of("reprozip", "trace", "-d", peerOut.toString(), "-w", "--dont-identify-packages",
                        work.resolve("bin/noclone3").toString()));
                argv.addAll(cmd);
            }
            case CAPTURE -> {
                argv.addAll(List.of("java", "-cp", benchJar.toString(), "dev.timemachine.bench.capture.CaptureOnly"));
                argv.addAll(cmd);
            }
            case JVM -> {
                argv.add("java");
                argv.addAll(jvmOpts);
                argv.addAll(List.of("-jar", jar.toString(), "--version"));
            }
        }
        Process fatrace = null;
        if (mode == Mode.FATRACE) {
            fatrace = new ProcessBuilder("fatrace", "-t", "-o", peerOut.toString()).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(out.resolve("fatrace.log").toFile()).start();
            Thread.sleep(500); // fanotify marks are set at start; no ready signal
        }
        double load1 = load1();
        ProcessBuilder pb = new ProcessBuilder(argv).directory(root.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        AtomicLong hwm = new AtomicLong();
        Thread poller = null;
        if (mode == Mode.RECORD) {
            poller = new Thread(() -> pollHwm(p, hwm), "hwm-poller");
            poller.setDaemon(true);
            poller.start();
        }
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(w + " under " + mode.label + " did not finish in 30 minutes");
        }
        long t1 = System.nanoTime();
        if (poller != null) {
            poller.join(1000);
        }
        if (fatrace != null) {
            fatrace.destroy(); // SIGTERM: fatrace closes its output and exits
            if (!fatrace.waitFor(10, TimeUnit.SECONDS)) {
                fatrace.destroyForcibly();
            }
        }
        String err = Files.readString(errFile, StandardCharsets.ISO_8859_1);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(w + " under " + mode.label + " exited " + p.exitValue() + ":\n" + tail(err));
        }
        double wall = (t1 - t0) / 1e9;
        double cmdWall = Double.NaN;
        double lag = Double.NaN;
        if (Files.exists(stampFile)) {
            String[] s = Files.readString(stampFile).trim().split(" ");
            long start = Long.parseLong(s[0]);
            long end = Long.parseLong(s[1]);
            cmdWall = (end - start) / 1e9;
            lag = (t1 - end) / 1e9;
        }
        String time = Files.readString(timeFile);
        long maxRss = longField(time, "Maximum resident set size \\(kbytes\\): (\\d+)");
        double cpu = doubleField(time, "User time \\(seconds\\): ([\\d.]+)") + doubleField(time, "System time \\(seconds\\): ([\\d.]+)");
        Map<String, Long> counters = Map.of();
        String summary = null;
        long outputBytes = 0;
        switch (mode) {
            case RECORD -> {
                Matcher m = Pattern.compile("timemachine: (recorded .*)").matcher(err);
                summary = m.find() ? m.group(1).replaceAll(" \\(recording .*", "").replaceAll("^recorded .* in ", "in ") : "?";
                counters = infoCounters();
                outputBytes = treeBytes(state);
                if (verify.equals("all") || (verify.equals("last") && rep == (w.equals("startup") ? startupReps : reps) - 1)) {
                    check(w);
                }
            }
            case STRACE, REPROZIP, FATRACE -> outputBytes = treeBytes(peerOut);
            default -> {
            }
        }
        clean();
        exec(List.of("sync"));
        return new Run(w, mode, rep, wall, cmdWall, lag, maxRss, hwm.get(), cpu, load1, counters, outputBytes, summary);
    }

    /** Exports the latest state and compares it with the real root, byte for byte. */
    private void check(String w) throws Exception {
        Path exported = work.resolve("export");
        long t0 = System.nanoTime();
        List<String> argv = new ArrayList<>(List.of("java"));
        argv.addAll(jvmOpts);
        argv.addAll(List.of("-jar", jar.toString(), "export", "--state-dir", state.toString(), "--time", "latest",
                "--out", exported.toString(), "--force"));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        exportSeconds.put(w, (System.nanoTime() - t0) / 1e9);
        if (rc != 0) {
            correctness.put(w, "export failed (exit " + rc + "): " + tail(output).trim());
            return;
        }
        List<String> diffs = compareTrees(root, exported);
        Files.write(work.resolve("diff-" + w + ".txt"), diffs);
        String exportLine = output.lines().filter(l -> l.startsWith("exported")).findFirst().orElse("").trim();
        correctness.put(w, diffs.isEmpty() ? "identical (" + exportLine.replaceAll(".* to \\S+: ", "") + ")"
                : diffs.size() + " differences, e.g. " + String.join("; ", diffs.subList(0, Math.min(3, diffs.size()))));
        System.err.println("  " + w + " export vs real tree: " + correctness.get(w));
    }

    /** Differences between two trees: presence, type, permission bits, symlink target, size and bytes. */
    static List<String> compareTrees(Path real, Path exported) throws IOException {
        Map<String, Path> a = list(real);
        Map<String, Path> b = list(exported);
        List<String> diffs = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        for (String rel : all) {
            Path x = a.get(rel);
            Path y = b.get(rel);
            if (y == null) {
                diffs.add("missing from export: " + rel);
                continue;
            }
            if (x == null) {
                diffs.add("only in export: " + rel);
                continue;
            }
            String tx = type(x);
            String ty = type(y);
            if (!tx.equals(ty)) {
                diffs.add(rel + ": " + tx + " in the real tree, " + ty + " in the export");
                continue;
            }
            if (tx.equals("symlink")) {
                if (!Files.readSymbolicLink(x).equals(Files.readSymbolicLink(y))) {
                    diffs.add(rel + ": symlink to " + Files.readSymbolicLink(x) + ", exported to " + Files.readSymbolicLink(y));
                }
                continue;
            }
            var px = Files.getPosixFilePermissions(x, LinkOption.NOFOLLOW_LINKS);
            var py = Files.getPosixFilePermissions(y, LinkOption.NOFOLLOW_LINKS);
            if (!px.equals(py) && !rel.isEmpty()) {
                diffs.add(rel + ": mode " + px + ", exported " + py);
            }
            if (tx.equals("file")) {
                long sx = Files.size(x);
                long sy = Files.size(y);
                if (sx != sy) {
                    diffs.add(rel + ": " + sx + " bytes, exported " + sy + " bytes");
                } else {
                    long at = Files.mismatch(x, y);
                    if (at >= 0) {
                        diffs.add(rel + ": bytes differ from offset " + at + " (size " + sx + ")");
                    }
                }
            }
        }
        return diffs;
    }

    private static Map<String, Path> list(Path top) throws IOException {
        Map<String, Path> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(top)) {
            s.forEach(p -> m.put(top.relativize(p).toString(), p));
        }
        return m;
    }

    private static String type(Path p) {
        if (Files.isSymbolicLink(p)) {
            return "symlink";
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return "directory";
        }
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return "file";
        }
        return "other";
    }

    private Map<String, Long> infoCounters() throws Exception {
        Process p = new ProcessBuilder("java", "-jar", jar.toString(), "info", "--json", "--state-dir", state.toString())
                .redirectErrorStream(true).start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Map<String, Long> m = new LinkedHashMap<>();
        Matcher c = Pattern.compile("\"counters\":\\{([^}]*)\\}").matcher(json);
        if (c.find()) {
            Matcher kv = Pattern.compile("\"(\\w+)\":(-?\\d+)").matcher(c.group(1));
            while (kv.find()) {
                m.put(kv.group(1), Long.parseLong(kv.group(2)));
            }
        }
        return m;
    }

    /** Polls VmHWM (peak RSS) of the recorder JVM, the child of /usr/bin/time, until it exits. */
    private static void pollHwm(Process time, AtomicLong hwm) {
        long javaPid = -1;
        while (time.isAlive()) {
            try {
                if (javaPid < 0) {
                    javaPid = time.children().findFirst().map(ProcessHandle::pid).orElse(-1L);
                }
                if (javaPid > 0) {
                    for (String line : Files.readAllLines(Path.of("/proc/" + javaPid + "/status"))) {
                        if (line.startsWith("VmHWM:")) {
                            hwm.accumulateAndGet(Long.parseLong(line.replaceAll("\\D", "")), Math::max);
                        }
                    }
                }
            } catch (IOException | UncheckedIOException | NumberFormatException e) {
                // the process went away between the check and the read
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private String report(List<String> workloads) {
        StringBuilder sb = new StringBuilder();
        String when = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
        sb.append("Run ").append(when).append(", ").append(reps).append(" pairs per workload (peers: ").append(peerReps)
                .append(" runs each; start-up: ").append(startupReps).append(" runs)")
                .append(jvmOpts.isEmpty() ? "" : ", recorder JVM options " + String.join(" ", jvmOpts)).append(".\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        sb.append('\n');
        sb.append("| workload | alone (median) | timemachine: ratio median [min–max] | command alone vs inside the recorder | events | bytes captured | dropped "
                + "| compaction lag at exit | state dir | recorder peak RSS | recorder CPU − alone CPU |");
        for (Mode m : peers) {
            sb.append(' ').append(m.label).append(" |");
        }
        sb.append(" load (1 min) | export = real tree |\n|---|---|---|---|---|---|---|---|---|---|---|");
        sb.append("---|".repeat(peers.size())).append("---|---|\n");
        for (String w : workloads) {
            List<Run> rs = runs.stream().filter(r -> r.workload.equals(w)).toList();
            Map<Mode, List<Run>> by = new EnumMap<>(Mode.class);
            for (Run r : rs) {
                by.computeIfAbsent(r.mode, k -> new ArrayList<>()).add(r);
            }
            List<Run> alone = by.getOrDefault(Mode.ALONE, List.of());
            List<Run> rec = by.getOrDefault(Mode.RECORD, List.of());
            sb.append("| ").append(title(w)).append(" | ");
            sb.append(String.format(Locale.ROOT, "%.3f s", median(alone.stream().mapToDouble(Run::wall).toArray())));
            if (w.equals("startup")) {
                double[] walls = rec.stream().mapToDouble(Run::wall).toArray();
                double[] jvm = by.getOrDefault(Mode.JVM, List.of()).stream().mapToDouble(Run::wall).toArray();
                sb.append(String.format(Locale.ROOT, " | **%.3f s** [%.3f–%.3f] (n=%d; `java -jar … --version`: %.3f s)",
                        median(walls), min(walls), max(walls), walls.length, median(jvm)));
                sb.append(" | –");
            } else {
                sb.append(" | ").append(ratioCell(alone, rec, true));
                double[] inside = cmdRatios(alone, rec);
                sb.append(String.format(Locale.ROOT, " | %.2f× [%.2f–%.2f]", median(inside), min(inside), max(inside)));
            }
            sb.append(" | ").append(String.format(Locale.ROOT, "%,d", (long) median(rec.stream().mapToDouble(r -> r.counters.getOrDefault("events", -1L)).toArray())));
            sb.append(" | ").append(human((long) median(rec.stream().mapToDouble(r -> r.counters.getOrDefault("bytes", -1L)).toArray())));
            long dropped = rec.stream().mapToLong(r -> r.counters.getOrDefault("dropped", 0L)).max().orElse(0);
            long approx = rec.stream().mapToLong(r -> r.counters.getOrDefault("approximate", 0L)).max().orElse(0);
            sb.append(" | ").append(dropped).append(approx > 0 ? " (" + approx + " approximate)" : "");
            double[] lags = rec.stream().mapToDouble(Run::lag).toArray();
            sb.append(String.format(Locale.ROOT, " | %.2f s [%.2f–%.2f]", median(lags), min(lags), max(lags)));
            sb.append(" | ").append(human((long) median(rec.stream().mapToDouble(Run::outputBytes).toArray())));
            long hwm = rec.stream().mapToLong(Run::recorderHwmKb).max().orElse(0);
            long rss = rec.stream().mapToLong(Run::maxRssKb).max().orElse(0);
            sb.append(String.format(Locale.ROOT, " | %d MiB (time -v: %d MiB)", hwm >> 10, rss >> 10));
            sb.append(String.format(Locale.ROOT, " | %+.1f s", median(rec.stream().mapToDouble(Run::cpu).toArray())
                    - median(alone.stream().mapToDouble(Run::cpu).toArray())));
            for (Mode m : peers) {
                List<Run> pr = by.getOrDefault(m, List.of());
                sb.append(" | ").append(pr.isEmpty() ? "–" : ratioCell(alone, pr, false));
            }
            sb.append(String.format(Locale.ROOT, " | %.1f", rs.stream().mapToDouble(Run::load1).average().orElse(0)));
            String c = correctness.getOrDefault(w, "not checked");
            Double es = exportSeconds.get(w);
            sb.append(" | ").append(c).append(es == null ? "" : String.format(Locale.ROOT, ", export %.1f s", es)).append(" |\n");
        }
        return sb.toString();
    }

    /** Median and range of per-repetition ratios against the alone run of the same repetition. */
    private static String ratioCell(List<Run> alone, List<Run> measured, boolean bold) {
        Map<Integer, Double> a = new TreeMap<>();
        for (Run r : alone) {
            a.put(r.rep, r.wall);
        }
        double[] ratios = measured.stream().filter(r -> a.containsKey(r.rep)).mapToDouble(r -> r.wall / a.get(r.rep)).toArray();
        if (ratios.length == 0) {
            return "–";
        }
        String med = String.format(Locale.ROOT, "%.2f×", median(ratios));
        return String.format(Locale.ROOT, "%s [%.2f–%.2f] n=%d", bold ? "**" + med + "**" : med, min(ratios), max(ratios),
                ratios.length);
    }

    /** Per repetition: the command's own time (stamp) inside the recorder over its time alone. */
    private static double[] cmdRatios(List<Run> alone, List<Run> measured) {
        Map<Integer, Double> a = new TreeMap<>();
        for (Run r : alone) {
            a.put(r.rep, r.cmdWall);
        }
        return measured.stream().filter(r -> a.containsKey(r.rep)).mapToDouble(r -> r.cmdWall / a.get(r.rep)).toArray();
    }

    private void appendCsv(Run r) throws IOException {
        String line = String.format(Locale.ROOT, "%s,%s,%d,%.4f,%.4f,%.4f,%d,%d,%.2f,%.2f,%d,%d,%d,%d,%d%n", r.workload,
                r.mode.name().toLowerCase(Locale.ROOT), r.rep, r.wall, r.cmdWall, r.lag, r.maxRssKb, r.recorderHwmKb, r.cpu,
                r.load1, r.counters.getOrDefault("events", -1L), r.counters.getOrDefault("bytes", -1L),
                r.counters.getOrDefault("dropped", -1L), r.counters.getOrDefault("approximate", -1L), r.outputBytes);
        Files.writeString(work.resolve("runs.csv"), line, java.nio.file.StandardOpenOption.APPEND);
    }

    // ---------------------------------------------------------------------------------------------------------

    private void clean() throws IOException {
        for (Path p : List.of(root, state, work.resolve("export"), out.resolve("peer"))) {
            deleteTree(p);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(p);
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static long treeBytes(Path p) throws IOException {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private static void exec(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed:\n" + tail(output));
        }
    }

    private static boolean which(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }

    private static String gitHead(Path dir) {
        try {
            Process p = new ProcessBuilder("git", "-C", dir.toString(), "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            Process d = new ProcessBuilder("git", "-C", dir.toString(), "status", "--porcelain", "--untracked-files=no")
                    .redirectErrorStream(true).start();
            boolean dirty = !new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank();
            return s + (dirty ? " (working tree has uncommitted changes)" : "");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String sha(Path file) throws Exception {
        var md = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return "sha256 " + java.util.HexFormat.of().formatHex(md.digest()).substring(0, 12);
    }

    private static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private static long longField(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static double doubleField(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static String tail(String s) {
        String[] lines = s.split("\n");
        return String.join("\n", Arrays.asList(lines).subList(Math.max(0, lines.length - 20), lines.length));
    }

    static String human(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
