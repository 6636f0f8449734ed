package dev.timemachine.api;

import java.nio.file.Path;

/** A directory given as a state dir is not one (or belongs to another engine or format). A user mistake. */
public class NotAStateDirException extends TimeMachineException {
    private final Path dir;

    public NotAStateDirException(Path dir, String why) {
        super(dir + " is not a Time Machine state dir: " + why);
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }
}
