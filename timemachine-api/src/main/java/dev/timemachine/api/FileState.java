package dev.timemachine.api;

/**
 * One path of a rebuilt tree.
 *
 * @param path        absolute path bytes
 * @param type        what kind of file it is
 * @param mode        permission bits
 * @param size        size in bytes of a regular file, otherwise 0
 * @param target      symlink target, otherwise {@code null}
 * @param approximate whether the content could not be rebuilt byte for byte
 */
public record FileState(byte[] path, Type type, int mode, long size, byte[] target, boolean approximate) {
    /** File types a rebuilt tree holds. */
    public enum Type { REGULAR, DIRECTORY, SYMLINK }
}
