package dev.timemachine.core;

/** Closing several resources at once without losing an exception (Lucene's {@code IOUtils.close}). */
final class Closeables {
    private Closeables() {
    }

    /**
     * Closes every resource, in order, even when one fails. The first failure is thrown after all are closed,
     * later ones suppressed in it.
     */
    static void closeAll(AutoCloseable... resources) {
        RuntimeException first = null;
        for (AutoCloseable r : resources) {
            try {
                if (r != null) {
                    r.close();
                }
            } catch (Exception e) {
                RuntimeException wrapped = e instanceof RuntimeException re ? re
                        : new dev.timemachine.api.TimeMachineException("cannot close " + r + ": " + e.getMessage(), e);
                if (first == null) {
                    first = wrapped;
                } else {
                    first.addSuppressed(wrapped);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Closes the resources after {@code primary} made the work fail: {@code primary} is rethrown, with whatever
     * closing threw suppressed in it.
     */
    static RuntimeException closeAfter(RuntimeException primary, AutoCloseable... resources) {
        try {
            closeAll(resources);
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
            for (Throwable s : e.getSuppressed()) {
                primary.addSuppressed(s);
            }
        }
        return primary;
    }
}
