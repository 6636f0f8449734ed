package dev.timemachine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Names as log shows them, the way {@code ls -b} does: no name can forge a line or a column. */
class PathBytesEscapeTest {
    private static String esc(String s) {
        return PathBytes.escaped(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void controlCharactersBackslashesAndSpacesAreEscaped() {
        assertEquals("/w/a\\nb", esc("/w/a\nb"));
        assertEquals("/w/a\\tb\\rc", esc("/w/a\tb\rc"));
        assertEquals("/w/a\\ b", esc("/w/a b"));
        assertEquals("/w/back\\\\slash", esc("/w/back\\slash"));
        assertEquals("/w/bell\\007\\033[2J", esc("/w/bell\u0007\u001b[2J"));
        assertEquals("/w/\\302\\205next-line", esc("/w/\u0085next-line"));
    }

    @Test
    void utf8IsKeptAndBytesThatAreNotUtf8AreOctal() {
        assertEquals("/w/caf\u00e9-\u65e5\u672c-\ud83d\ude00", esc("/w/caf\u00e9-\u65e5\u672c-\ud83d\ude00"));
        assertEquals("/w/\\377x\\303", PathBytes.escaped(new byte[] {'/', 'w', '/', (byte) 0xff, 'x', (byte) 0xc3}));
        assertEquals("\\355\\240\\200", PathBytes.escaped(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}),
                "a surrogate encoded as UTF-8 is not UTF-8");
        assertEquals("\ufffd", PathBytes.escaped(new byte[] {(byte) 0xef, (byte) 0xbf, (byte) 0xbd}), "U+FFFD itself is");
    }
}
