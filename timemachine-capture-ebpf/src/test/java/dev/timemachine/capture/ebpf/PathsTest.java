package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PathsTest {
    private static String norm(String p) {
        return new String(Paths.normalize(p.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void foldsDotsAndSlashesLexically() {
        assertEquals("/a/b", norm("/a/b"));
        assertEquals("/a/b", norm("/a/./b"));
        assertEquals("/a/c", norm("/a/b/../c"));
        assertEquals("/a/b", norm("//a///b/"));
        assertEquals("/", norm("/.."));
        assertEquals("/", norm("/a/.."));
        assertEquals("/.hidden/..x", norm("/.hidden/..x"));
        assertEquals("relative/./x", norm("relative/./x"));
    }
}
