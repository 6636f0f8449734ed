package dev.timemachine.core;

import dev.timemachine.api.EventSource;
import dev.timemachine.api.TimeMachineException;
import dev.timemachine.api.UnknownNameException;
import dev.timemachine.api.spi.EventSourceProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds event sources with {@link ServiceLoader} and chooses one by name. */
final class EventSources {
    /** Chooses the first available source. */
    static final String AUTO = "auto";

    private EventSources() {
    }

    /** The names of every source on the class path, sorted. */
    static List<String> names() {
        return new ArrayList<>(providers().keySet());
    }

    /**
     * A new, not yet started source called {@code name}, or for {@link #AUTO} the first available one.
     *
     * @throws UnknownNameException listing the names that exist, for an unknown name
     * @throws TimeMachineException saying why, when the source cannot run here
     */
    static EventSource create(String name, Map<String, String> config) {
        Map<String, EventSourceProvider> providers = providers();
        if (AUTO.equals(name)) {
            List<String> causes = new ArrayList<>();
            for (EventSourceProvider p : providers.values()) {
                EventSource s = p.create(config);
                if (s.isAvailable()) {
                    return s;
                }
                causes.add(p.name() + ": " + s.unavailabilityCause());
                s.close();
            }
            throw new TimeMachineException(providers.isEmpty() ? "no event source is on the class path"
                    : "no event source can run here; " + String.join("; ", causes));
        }
        EventSourceProvider p = providers.get(name);
        if (p == null) {
            List<String> known = new ArrayList<>(providers.keySet());
            known.add(0, AUTO);
            throw new UnknownNameException("capture", name, known);
        }
        EventSource s = p.create(config);
        if (!s.isAvailable()) {
            String cause = s.unavailabilityCause();
            s.close();
            throw new TimeMachineException("capture '" + name + "' cannot run here: " + cause);
        }
        return s;
    }

    private static Map<String, EventSourceProvider> providers() {
        Map<String, EventSourceProvider> byName = new TreeMap<>();
        for (EventSourceProvider p : ServiceLoader.load(EventSourceProvider.class)) {
            byName.putIfAbsent(p.name(), p);
        }
        return byName;
    }
}
