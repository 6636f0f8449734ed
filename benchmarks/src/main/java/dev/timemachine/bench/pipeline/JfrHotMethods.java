package dev.timemachine.bench.pipeline;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a thread's time goes, from a JFR recording: execution samples (Java code) and native-method samples
 * (threads inside JNI, e.g. RocksDB), counted by top frame (self) and by every method on the stack
 * (inclusive).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.timemachine.bench.pipeline.JfrHotMethods FILE.jfr [THREAD] [TOP]},
 * THREAD a substring of the thread name (default {@code main}).
 */
public final class JfrHotMethods {
    public static void main(String[] args) throws Exception {
        String thread = args.length > 1 ? args[1] : "main";
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        int nativeSamples = 0;
        try (RecordingFile file = new RecordingFile(Path.of(args[0]))) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                String type = e.getEventType().getName();
                boolean isNative = type.equals("jdk.NativeMethodSample");
                if (!type.equals("jdk.ExecutionSample") && !isNative) {
                    continue;
                }
                RecordedThread t = e.getThread(isNative ? "sampledThread" : "sampledThread");
                if (t == null || t.getJavaName() == null || !t.getJavaName().contains(thread)) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                if (isNative) {
                    nativeSamples++;
                }
                List<RecordedFrame> frames = st.getFrames();
                self.merge(name(frames.get(0)) + (isNative ? " [native]" : ""), 1, Integer::sum);
                Set<String> once = new HashSet<>();
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    if (once.add(n)) {
                        inclusive.merge(n, 1, Integer::sum);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d samples of threads named *%s* (%d in native code)%n", samples, thread, nativeSamples);
        print("self (top frame)", self, samples, top);
        print("inclusive (on the stack)", inclusive, samples, top);
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName().replaceFirst("^dev\\.timemachine\\.", "") + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.println("== " + title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "%5.1f%%  %s%n", 100.0 * en.getValue() / samples, en.getKey()));
    }
}
