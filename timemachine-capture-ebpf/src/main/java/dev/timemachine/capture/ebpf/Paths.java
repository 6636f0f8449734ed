package dev.timemachine.capture.ebpf;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Lexical normalisation of absolute paths kept as bytes (Linux paths need not be UTF-8). */
final class Paths {
    private Paths() {
    }

    /**
     * Removes empty and {@code .} components and folds {@code ..}, lexically: a user-supplied name such as
     * {@code ./a//b/../c} relative to a directory is reported as the path the kernel resolved, as long as
     * no symlink to a directory precedes a {@code ..} in it.
     */
    static byte[] normalize(byte[] p) {
        if (!needsWork(p)) {
            return p;
        }
        List<int[]> parts = new ArrayList<>();
        int i = 0;
        while (i < p.length) {
            while (i < p.length && p[i] == '/') {
                i++;
            }
            int start = i;
            while (i < p.length && p[i] != '/') {
                i++;
            }
            int len = i - start;
            if (len == 0 || (len == 1 && p[start] == '.')) {
                continue;
            }
            if (len == 2 && p[start] == '.' && p[start + 1] == '.') {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(new int[] {start, len});
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(p.length);
        for (int[] part : parts) {
            out.write('/');
            out.write(p, part[0], part[1]);
        }
        if (parts.isEmpty()) {
            out.write('/');
        }
        return out.toByteArray();
    }

    private static boolean needsWork(byte[] p) {
        if (p.length == 0 || p[0] != '/') {
            return false; // relative names never come from the capture; leave anything else untouched
        }
        for (int i = 0; i < p.length; i++) {
            if (p[i] == '/' && (i + 1 == p.length ? i > 0 : p[i + 1] == '/' || p[i + 1] == '.')) {
                return true;
            }
        }
        return false;
    }
}
