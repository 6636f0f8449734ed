package dev.timemachine.core;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.timemachine.api.CorruptDataException;
import dev.timemachine.api.spi.Keyspace;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of every keyspace's decoder (Jazzer): the first byte picks the keyspace, the next two the
 * key's length, the rest are key and value; decoding must succeed or throw {@link CorruptDataException}. Without
 * {@code JAZZER_FUZZ=1} (CI) it replays the corpus in {@code src/test/resources/dev/timemachine/core/
 * DecoderJazzerTestInputs/}, entries of a real state dir among them; with it ({@code JAZZER_FUZZ=1 mvn -pl
 * timemachine-core test -Dtest=DecoderJazzerTest}) it searches for more, and a finding lands there to be kept.
 */
class DecoderJazzerTest {
    @FuzzTest(maxDuration = "30s")
    void everyKeyspaceDecodesOrSaysCorrupt(byte[] data) {
        if (data.length < 3) {
            return;
        }
        Keyspace ks = Keyspace.values()[(data[0] & 0xff) % Keyspace.values().length];
        int keyLength = Math.min(data.length - 3, ((data[1] & 0xff) << 8) | (data[2] & 0xff));
        byte[] key = Arrays.copyOfRange(data, 3, 3 + keyLength);
        byte[] value = Arrays.copyOfRange(data, 3 + keyLength, data.length);
        KeyspaceCodec codec = Schema.codec(ks);
        try {
            codec.check(key, value);
            codec.references(key, value, h -> { });
        } catch (CorruptDataException expected) {
            // what damage must give
        }
    }
}
