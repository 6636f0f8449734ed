package dev.timemachine.cli;

import java.nio.file.Path;

/** An {@code ENGINE:DIR} argument, as {@code migrate} takes it. */
record StoreLocation(String engine, Path dir) {

    static StoreLocation parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new UsageException("expected ENGINE:DIR (for example rocks:/tmp/state), got '" + spec + "'");
        }
        return new StoreLocation(spec.substring(0, colon), Path.of(spec.substring(colon + 1)));
    }
}
