package dev.timemachine.core;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The one place where recorded path bytes and {@link java.nio.file.Path}s meet.
 *
 * <p>Linux paths are byte strings that need not be valid in any charset. Java's file API names files with
 * {@code String}s and encodes them with the platform's file-name charset ({@code sun.jnu.encoding}, UTF-8 on a
 * UTF-8 locale), so it cannot represent every byte sequence: a name that does not decode cleanly would be
 * written under a different name. Such names are reported as not representable instead of being written
 * wrongly; a later fix (a native call taking bytes) only has to change this class. For the same reason a
 * symlink target passes through {@link Path}, which drops repeated and trailing slashes.
 */
public final class PathBytes {
    private static final Charset FILE_NAMES = fileNameCharset();

    private PathBytes() {
    }

    /** The path for display: UTF-8 with invalid bytes replaced. */
    public static String display(byte[] path) {
        return new String(path, StandardCharsets.UTF_8);
    }

    /**
     * The path as {@code ls -b} shows it, for a line of output: C-style escapes for what is not graphic (a newline
     * is {@code \\n}, other control characters and bytes that are not UTF-8 {@code \\ooo} in octal), and a
     * backslash before a backslash or a space, so that no name can forge a line or a column.
     */
    public static String escaped(byte[] path) {
        StringBuilder out = new StringBuilder(path.length + 8);
        for (int i = 0; i < path.length; ) {
            int b = path[i] & 0xff;
            int n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
            String ch = n == 0 || i + n > path.length ? null : new String(path, i, n, StandardCharsets.UTF_8);
            // a sequence is UTF-8 if it decodes to characters that encode back to it
            if (ch == null || !java.util.Arrays.equals(ch.getBytes(StandardCharsets.UTF_8), 0, ch.getBytes(
                    StandardCharsets.UTF_8).length, path, i, i + n) || ch.codePointCount(0, ch.length()) != 1) {
                out.append(String.format("\\%03o", b)); // not UTF-8
                i++;
                continue;
            }
            int cp = ch.codePointAt(0);
            switch (cp) {
                case '\\' -> out.append("\\\\");
                case ' ' -> out.append("\\ ");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) {
                        for (int k = 0; k < n; k++) {
                            out.append(String.format("\\%03o", path[i + k] & 0xff));
                        }
                    } else {
                        out.append(ch);
                    }
                }
            }
            i += n;
        }
        return out.toString();
    }

    /** The bytes of a path given on the command line or by the JDK. */
    public static byte[] bytes(Path path) {
        return bytes(path.toString());
    }

    /** The bytes the file-name charset gives this string. */
    public static byte[] bytes(String path) {
        return path.getBytes(FILE_NAMES);
    }

    /**
     * The string the JDK needs to name a file with exactly these bytes, or empty if the file-name charset
     * cannot represent them.
     */
    public static Optional<String> name(byte[] bytes) {
        try {
            CharBuffer chars = FILE_NAMES.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            String s = chars.toString();
            // Decoding may succeed yet map back to other bytes (overlong forms, for instance).
            return Arrays.equals(s.getBytes(FILE_NAMES), bytes) ? Optional.of(s) : Optional.empty();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The symlink target as a {@link Path}, or empty if it cannot be represented. */
    public static Optional<Path> target(byte[] target) {
        return name(target).filter(s -> !s.isEmpty() && s.indexOf('\0') < 0).map(Path::of);
    }

    private static Charset fileNameCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }
}
