package dev.timemachine.core;

import dev.timemachine.api.RecordingInfo;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.spi.StorageEngine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The second process of {@link SharedReadContract}: opens a state dir for reading ({@code read}) or writing
 * ({@code write}) and prints {@code OPEN <recordings> <content of PATH in the latest>} or {@code REFUSED <why>}.
 *
 * <p>Arguments: engine class name, state dir, {@code read} or {@code write}, PATH.
 */
public final class SharedReader {
    private SharedReader() {
    }

    public static void main(String[] args) throws Exception {
        StorageEngine engine = (StorageEngine) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        TimeMachine.Options options = TimeMachine.Options.defaults().withEngine(engine)
                .withReadOnly(args[2].equals("read"));
        try (TimeMachine tm = TimeMachine.open(Path.of(args[1]), options)) {
            RecordingInfo latest = tm.latest().orElseThrow();
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            tm.replayer(latest).contentAt(args[3].getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE, content);
            System.out.println("OPEN " + tm.recordings().size() + " " + content.toString(StandardCharsets.UTF_8));
        } catch (TimeMachineException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
