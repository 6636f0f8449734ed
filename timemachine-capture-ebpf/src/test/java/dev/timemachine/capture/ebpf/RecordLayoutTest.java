package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.api.FsEvent;
import dev.timemachine.api.Op;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RecordLayout}, the api's op codes and its flags against the C side, without root: a small program
 * compiled with gcc prints what the compiler makes of {@code bpf/timemachine.h} (every {@code #define},
 * the size of each struct and the offset and size of each field) and of the kernel's ring-record header in
 * {@code <linux/bpf.h>}, and every number must match. The structs and defines are read from the header
 * itself, so a field or define added there without its Java counterpart fails here.
 */
class RecordLayoutTest {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(TM_\\w+)\\s");
    private static final Pattern STRUCT = Pattern.compile("(?s)struct\\s+(tm_\\w+)\\s*\\{(.*?)\\};");
    private static final Pattern MEMBER = Pattern.compile("^__[us](8|16|32|64)\\s+(\\w+)$");
    private static final List<String> RING = List.of("BPF_RINGBUF_HDR_SZ", "BPF_RINGBUF_BUSY_BIT",
            "BPF_RINGBUF_DISCARD_BIT");

    /** The bytes the Java side reads or writes at each field (offsets alone would let a u64 be read as a u32). */
    private static final Map<String, Integer> HDR_WIDTHS = Map.ofEntries(Map.entry("time_ns", 8),
            Map.entry("file_key", 8), Map.entry("offset", 8), Map.entry("length", 8), Map.entry("pid", 4),
            Map.entry("tid", 4), Map.entry("mode", 4), Map.entry("type", 2), Map.entry("flags", 2),
            Map.entry("len1", 4), Map.entry("len2", 4));
    private static final Map<String, Integer> CONFIG_WIDTHS = Map.of("wakeup_bytes", 8, "chunk_bytes", 4,
            "reserved", 4);

    @TempDir
    static Path tmp;
    private static List<String> defines;
    private static Map<String, List<String>> structs;
    private static Path header;
    /** What the compiler said: "TM_X" and "BPF_RINGBUF_X" values, "sizeof tm_s", "tm_s.f" offset and size. */
    private static Map<String, long[]> compiled;
    private static String cannotCompile;

    @BeforeAll
    static void readTheHeader() throws IOException {
        header = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("../bpf/timemachine.h")
                .normalize();
        assertTrue(Files.isReadable(header), "the C side of the layout is missing: " + header);
        String text = Files.readString(header, StandardCharsets.UTF_8);
        defines = new ArrayList<>();
        for (Matcher m = DEFINE.matcher(text); m.find(); ) {
            defines.add(m.group(1));
        }
        structs = new LinkedHashMap<>();
        for (Matcher m = STRUCT.matcher(text.replaceAll("(?s)/\\*.*?\\*/", "")); m.find(); ) {
            List<String> fields = new ArrayList<>();
            for (String decl : m.group(2).split(";")) {
                if (decl.isBlank()) {
                    continue;
                }
                Matcher f = MEMBER.matcher(decl.strip().replaceAll("\\s+", " "));
                assertTrue(f.matches(), "struct " + m.group(1) + ": this test reads scalar __uN members only, got '"
                        + decl.strip() + "'");
                fields.add(f.group(2));
            }
            structs.put(m.group(1), fields);
        }
        assertEquals(Set.of("tm_hdr", "tm_config"), structs.keySet(), "structs of timemachine.h");
    }

    /**
     * The compiler's view, compiled once; skips the calling test, saying why, where it cannot be compiled
     * (each test rather than the class, since a class skipped in {@code @BeforeAll} is not reported).
     */
    private static synchronized Map<String, long[]> c() throws Exception {
        if (compiled == null && cannotCompile == null) {
            Path exe = compile();
            if (exe != null) {
                compiled = run(exe);
            }
        }
        assumeTrue(cannotCompile == null, cannotCompile);
        return compiled;
    }

    @Test
    void structTmHdrHasTheOffsetsAndWidthsTheDecoderReads() throws Exception {
        assertEquals(c().get("sizeof tm_hdr")[0], RecordLayout.HDR_SIZE, "sizeof(struct tm_hdr)");
        assertEquals(HDR_WIDTHS.keySet(), Set.copyOf(structs.get("tm_hdr")), "fields of struct tm_hdr");
        for (String f : structs.get("tm_hdr")) {
            long[] at = c().get("tm_hdr." + f);
            assertEquals(at[0], layout(f.toUpperCase(Locale.ROOT)), "offsetof(struct tm_hdr, " + f + ")");
            assertEquals(at[1], HDR_WIDTHS.get(f).intValue(), "sizeof tm_hdr." + f);
        }
    }

    @Test
    void theConfigValueIsStructTmConfig() throws Exception {
        assertEquals(c().get("sizeof tm_config")[0], RecordLayout.CONFIG_SIZE, "sizeof(struct tm_config)");
        assertEquals(CONFIG_WIDTHS.keySet(), Set.copyOf(structs.get("tm_config")), "fields of struct tm_config");
        for (String f : structs.get("tm_config")) {
            long[] at = c().get("tm_config." + f);
            assertEquals(at[1], CONFIG_WIDTHS.get(f).intValue(), "sizeof tm_config." + f);
            if (!f.equals("reserved")) {
                assertEquals(at[0], layout("CONFIG_" + f.toUpperCase(Locale.ROOT)),
                        "offsetof(struct tm_config, " + f + ")");
            }
        }
        // laid out by hand from the compiler's offsets, not RecordLayout's
        EbpfConfig config = new EbpfConfig(1L << 30, 0x1234_5678L, 0xab_cdef, 4);
        ByteBuffer expected = ByteBuffer.allocate((int) c().get("sizeof tm_config")[0])
                .order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong((int) c().get("tm_config.wakeup_bytes")[0], 0x1234_5678L);
        expected.putInt((int) c().get("tm_config.chunk_bytes")[0], 0xab_cdef);
        assertArrayEquals(expected.array(), config.mapValue(), "the tm_config map value; reserved stays 0");
    }

    @Test
    void opCodesAreTheApisOpCodes() throws Exception {
        Set<String> ops = new TreeSet<>();
        for (String d : defines) {
            if (d.startsWith("TM_OP_")) {
                String name = d.substring("TM_OP_".length());
                ops.add(name);
                assertEquals(value(d), Op.valueOf(name).code(), d);
                if (hasLayout("OP_" + name)) {
                    assertEquals(value(d), layout("OP_" + name), "RecordLayout.OP_" + name);
                }
            }
        }
        assertEquals(Arrays.stream(Op.values()).map(Op::name).collect(Collectors.toCollection(TreeSet::new)), ops,
                "every Op has its TM_OP_ code and no TM_OP_ code lacks its Op");
    }

    @Test
    void recordTypesAndFlagsHaveTheirJavaCounterparts() throws Exception {
        Set<String> flags = new TreeSet<>();
        Map<Long, String> types = new LinkedHashMap<>();
        long bits = 0;
        for (String d : defines) {
            if (d.startsWith("TM_OP_") || d.startsWith("TM_REC_")) {
                String other = types.put(value(d), d);
                assertTrue(other == null, d + " and " + other + " share a type code: the decoder dispatches on it");
            } else if (d.startsWith("TM_FLAG_")) {
                long bit = value(d);
                assertTrue(Long.bitCount(bit) == 1 && bit < 1 << 16 && (bits & bit) == 0,
                        d + " must be a bit of tm_hdr.flags (a __u16) of its own");
                bits |= bit;
            }
            if (d.startsWith("TM_WHY_")) {
                assertEquals(value(d), dev.timemachine.api.ApproximateReason.valueOf(d.substring("TM_WHY_".length())).code(),
                        d + " is the api's ApproximateReason code");
            }
            if (d.startsWith("TM_REC_")) {
                assertEquals(value(d), layout(d.substring("TM_".length())), d);
            } else if (d.startsWith("TM_FLAG_")) {
                String name = d.substring("TM_".length());
                Field api = field(FsEvent.class, name);
                assertTrue(api != null ^ hasLayout(name), d + " is either FsEvent." + name + " or decoder-internal"
                        + " (RecordLayout." + name + "), not neither nor both");
                if (api != null) {
                    flags.add(name);
                    assertEquals(value(d), api.getInt(null), "FsEvent." + name);
                } else {
                    assertEquals(value(d), layout(name), "RecordLayout." + name);
                }
            } else if (!d.startsWith("TM_OP_") && !d.startsWith("TM_WHY_")) {
                fail(d + " is neither an op code, a record type, a flag nor a reason: give it a Java counterpart and a check");
            }
        }
        Set<String> apiFlags = constants(FsEvent.class).stream().filter(n -> n.startsWith("FLAG_"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(apiFlags, flags, "every FsEvent flag has its TM_FLAG_ bit");
    }

    @Test
    void theRingRecordHeaderIsTheKernels() throws Exception {
        assertEquals(c().get("BPF_RINGBUF_HDR_SZ")[0], RecordLayout.RING_HDR_SIZE, "BPF_RINGBUF_HDR_SZ");
        assertEquals(c().get("BPF_RINGBUF_BUSY_BIT")[0], RecordLayout.RING_BUSY & 0xffff_ffffL, "BPF_RINGBUF_BUSY_BIT");
        assertEquals(c().get("BPF_RINGBUF_DISCARD_BIT")[0], RecordLayout.RING_DISCARD & 0xffff_ffffL,
                "BPF_RINGBUF_DISCARD_BIT");
    }

    /** Every constant of RecordLayout is one that the tests above compare with C: no number can drift unseen. */
    @Test
    void everyConstantOfRecordLayoutIsComparedWithC() throws Exception {
        Set<String> compared = new TreeSet<>(Set.of("HDR_SIZE", "CONFIG_SIZE", "RING_HDR_SIZE", "RING_BUSY",
                "RING_DISCARD"));
        structs.get("tm_hdr").forEach(f -> compared.add(f.toUpperCase(Locale.ROOT)));
        structs.get("tm_config").stream().filter(f -> !f.equals("reserved"))
                .forEach(f -> compared.add("CONFIG_" + f.toUpperCase(Locale.ROOT)));
        defines.forEach(d -> compared.add(d.substring("TM_".length())));
        Set<String> unchecked = new TreeSet<>(constants(RecordLayout.class));
        unchecked.removeAll(compared);
        // no header names the alignment (kernel/bpf/ringbuf.c rounds up to 8): RingReaderTest covers it
        assertEquals(Set.of("RING_ALIGN"), unchecked, "RecordLayout constants without a C counterpart");
    }

    /** The layout program, or {@code null} with {@link #cannotCompile} set when this machine cannot build it. */
    private static Path compile() throws Exception {
        StringBuilder p = new StringBuilder("""
                #include <stddef.h>
                #include <stdio.h>
                #include <linux/types.h>
                #include <linux/bpf.h>
                #include "timemachine.h"
                #define FIELD(s, f) printf(#s "." #f " %zu %zu\\n", offsetof(struct s, f), sizeof(((struct s *)0)->f))
                #define VALUE(d) printf(#d " %lld\\n", (long long) (d))
                int main(void) {
                """);
        for (Map.Entry<String, List<String>> s : structs.entrySet()) {
            p.append("printf(\"sizeof ").append(s.getKey()).append(" %zu\\n\", sizeof(struct ").append(s.getKey())
                    .append("));\n");
            s.getValue().forEach(f -> p.append("FIELD(").append(s.getKey()).append(", ").append(f).append(");\n"));
        }
        defines.forEach(d -> p.append("VALUE(").append(d).append(");\n"));
        RING.forEach(d -> p.append("VALUE(").append(d).append(");\n"));
        p.append("return 0;\n}\n");
        Path src = Files.writeString(tmp.resolve("layout.c"), p.toString());
        Path exe = tmp.resolve("layout");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-std=c11", "-Wall", "-Werror", "-I", header.getParent().toString(),
                    "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            cannotCompile = "gcc is not installed, so the C side of the record layout cannot be compiled: " + e;
            return null;
        }
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS), "gcc did not finish");
        if (gcc.exitValue() != 0 && out.matches("(?s).*linux/\\w+\\.h: No such file.*")) {
            cannotCompile = "the kernel's uapi headers are missing (install linux-libc-dev): " + out;
            return null;
        }
        assertEquals(0, gcc.exitValue(), () -> "gcc refused the layout program:\n" + out + "\n" + p);
        return exe;
    }

    private static Map<String, long[]> run(Path exe) throws Exception {
        Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        Map<String, long[]> values = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] w = line.startsWith("sizeof ") ? line.substring(7).split(" ") : line.split(" ");
            String key = line.startsWith("sizeof ") ? "sizeof " + w[0] : w[0];
            values.put(key, Arrays.stream(w, 1, w.length).mapToLong(Long::parseLong).toArray());
        }
        return values;
    }

    private static long value(String define) throws Exception {
        long[] v = c().get(define);
        assertNotNull(v, define + " was not printed");
        return v[0];
    }

    private static int layout(String name) throws IllegalAccessException {
        Field f = field(RecordLayout.class, name);
        assertNotNull(f, "RecordLayout has no " + name);
        return f.getInt(null);
    }

    private static boolean hasLayout(String name) {
        return field(RecordLayout.class, name) != null;
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static Set<String> constants(Class<?> type) {
        return Arrays.stream(type.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == int.class)
                .map(Field::getName).collect(Collectors.toCollection(TreeSet::new));
    }
}
