package dev.timemachine.capture.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Size, name and mode changes: truncate, fallocate, renames, unlink, directories, chmod, links, *at(). */
class NamespaceCaptureTest {

    @Test
    void truncateExtendAndFallocate() throws Exception {
        Path dir = Capture.tempDir("trunc");
        Capture.Run run = Capture.python(dir, """
                import os
                fd = os.open('f', os.O_RDWR | os.O_CREAT, 0o644)
                os.write(fd, b'0123456789abcdef')
                os.truncate('f', 10)
                os.ftruncate(fd, 4)
                os.ftruncate(fd, 12)
                os.posix_fallocate(fd, 8, 24)
                os.pwrite(fd, b'tail', 30)
                os.close(fd)
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of(
                "CREATE f mode=644",
                "WRITE f @0 \"0123456789abcdef\"",
                "TRUNCATE f len=10",
                "TRUNCATE f len=4",
                "TRUNCATE f len=12",
                "FALLOCATE f @8 len=24",
                "WRITE f @30 \"tail\""), Capture.describe(run, dir));
        Rebuild.of(run.events()).assertMatches(dir);
    }

    @Test
    void renameVariantsAndFailedRenames() throws Exception {
        Path dir = Capture.tempDir("rename");
        Capture.Run run = Capture.python(dir, """
                import os, ctypes
                libc = ctypes.CDLL(None, use_errno=True)
                for n in 'abc':
                    with open(n, 'wb') as f: f.write(n.encode() * 3)
                os.mkdir('d')
                os.rename('a', 'a2')
                dfd = os.open('d', os.O_RDONLY | os.O_DIRECTORY)
                os.rename('a2', 'in-d', dst_dir_fd=dfd)
                assert libc.renameat2(-100, b'b', -100, b'b2', 1) == 0
                assert libc.renameat2(-100, b'b2', -100, b'c', 1) == -1   # NOREPLACE onto c: EEXIST
                assert libc.renameat2(-100, b'b2', -100, b'c', 2) == 0    # EXCHANGE
                os.rename('d', 'd2')
                try:
                    os.rename('missing', 'x')
                except FileNotFoundError:
                    pass
                """);
        Capture.assertSuccess(run);
        List<String> events = Capture.describe(run, dir).stream().filter(l -> !l.startsWith("CREATE")
                && !l.startsWith("TRUNCATE") && !l.startsWith("WRITE")).toList();
        assertEquals(List.of(
                "MKDIR d mode=755 +dir",
                "RENAME a -> a2",
                "RENAME a2 -> d/in-d",
                "RENAME b -> b2 +noreplace",
                "EXCHANGE b2 -> c",
                "RENAME d -> d2"), events);
        Rebuild.of(run.events()).assertMatches(dir);
    }

    @Test
    void unlinkRmdirMkdirAndFailuresThatChangeNothing() throws Exception {
        Path dir = Capture.tempDir("unlink");
        Capture.Run run = Capture.python(dir, """
                import os
                os.umask(0o027)
                os.mkdir('d', 0o777)
                os.mkdir('d/e', 0o700)
                open('d/f', 'w').close()
                open('g', 'w').close()
                os.unlink('d/f')
                dfd = os.open('d', os.O_RDONLY | os.O_DIRECTORY)
                os.rmdir('e', dir_fd=dfd)
                os.unlink('../g', dir_fd=dfd)
                for bad in (lambda: os.unlink('nope'), lambda: os.rmdir('d/nope'), lambda: os.mkdir('d')):
                    try:
                        bad()
                    except OSError:
                        pass
                os.mkdir('kept', 0o751)
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of(
                "MKDIR d mode=750 +dir",
                "MKDIR d/e mode=700 +dir",
                "CREATE d/f mode=640",
                "TRUNCATE d/f len=0",
                "CREATE g mode=640",
                "TRUNCATE g len=0",
                "UNLINK d/f",
                "RMDIR d/e +dir",
                "UNLINK g",
                "MKDIR kept mode=750 +dir"), Capture.describe(run, dir));
        Rebuild.of(run.events()).assertMatches(dir);
    }

    @Test
    void chmodFamily() throws Exception {
        Path dir = Capture.tempDir("chmod");
        Capture.Run run = Capture.python(dir, """
                import os, ctypes
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open('f', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.chmod('f', 0o640)
                os.fchmod(fd, 0o604)
                dfd = os.open('.', os.O_RDONLY | os.O_DIRECTORY)
                os.chmod('f', 0o4755, dir_fd=dfd)
                assert libc.syscall(452, dfd, b'f', 0o444, 0) == 0   # fchmodat2
                os.mkdir('d', 0o700)
                # glibc's fchmodat(..., AT_SYMLINK_NOFOLLOW), as tar restores directory modes
                pfd = os.open('d', os.O_PATH | os.O_NOFOLLOW)
                os.chmod('/proc/self/fd/%d' % pfd, 0o755)
                os.chmod('/proc/self/fd/%d' % pfd, 0o750, dir_fd=dfd)
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of(
                "CREATE f mode=600",
                "CHMOD f mode=640",
                "CHMOD f mode=604",
                "CHMOD f mode=4755",
                "CHMOD f mode=444",
                "MKDIR d mode=700 +dir",
                "CHMOD d mode=755 +dir",
                "CHMOD d mode=750 +dir"), Capture.describe(run, dir));
    }

    @Test
    void symlinksAndHardLinks() throws Exception {
        Path dir = Capture.tempDir("links");
        Capture.Run run = Capture.python(dir, """
                import os
                with open('data', 'wb') as f: f.write(b'shared')
                os.symlink('data', 'sym')
                os.symlink('../elsewhere/x', 'dangling')
                os.mkdir('sub')
                dfd = os.open('sub', os.O_RDONLY | os.O_DIRECTORY)
                os.symlink('/abs/target', 'at-sym', dir_fd=dfd)
                os.link('data', 'hard')
                os.link('data', 'hard2', dst_dir_fd=dfd)
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of(
                "CREATE data mode=644",
                "TRUNCATE data len=0",
                "WRITE data @0 \"shared\"",
                "SYMLINK sym -> data",
                "SYMLINK dangling -> ../elsewhere/x",
                "MKDIR sub mode=755 +dir",
                "SYMLINK sub/at-sym -> /abs/target",
                "LINK data -> hard",
                "LINK data -> sub/hard2"), Capture.describe(run, dir));
        Rebuild.of(run.events()).assertMatches(dir);
    }

    @Test
    void pathsCrossMountPoints() throws Exception {
        Capture.source();
        Path dir = Capture.tempDir("mounts");
        Path mnt = java.nio.file.Files.createDirectory(dir.resolve("mnt"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "tm-test", mnt.toString()).inheritIO().start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here");
        try {
            Capture.Run run = Capture.python(mnt, """
                    import os
                    os.mkdir('sub')
                    os.chdir('sub')
                    with open('in-tmpfs', 'wb') as f: f.write(b'mounted')
                    os.rename('in-tmpfs', '../moved')
                    """);
            Capture.assertSuccess(run);
            assertEquals(List.of(
                    "MKDIR mnt/sub mode=755 +dir",
                    "CREATE mnt/sub/in-tmpfs mode=644",
                    "TRUNCATE mnt/sub/in-tmpfs len=0",
                    "WRITE mnt/sub/in-tmpfs @0 \"mounted\"",
                    "RENAME mnt/sub/in-tmpfs -> mnt/moved"), Capture.describe(run, dir));
            Rebuild.of(run.events()).assertMatches(mnt);
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void atCallsResolveAgainstTheirDirfdAndTheCwd() throws Exception {
        Path dir = Capture.tempDir("at");
        Capture.Run run = Capture.python(dir, """
                import os
                os.makedirs('a/b')
                os.chdir('a')
                dfd = os.open('b', os.O_RDONLY | os.O_DIRECTORY)
                fd = os.open('f', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=dfd)
                os.write(fd, b'x')
                os.rename('f', '../g', src_dir_fd=dfd, dst_dir_fd=dfd)
                os.mkdir('./m', dir_fd=dfd)
                os.rename('b', 'c')
                fd2 = os.open('m/new', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=dfd)
                os.write(fd, b'y')
                os.write(fd2, b'z')
                """);
        Capture.assertSuccess(run);
        assertEquals(List.of(
                "MKDIR a mode=755 +dir",
                "MKDIR a/b mode=755 +dir",
                "CREATE a/b/f mode=644",
                "WRITE a/b/f @0 \"x\"",
                "RENAME a/b/f -> a/g",
                "MKDIR a/b/m mode=755 +dir",
                "RENAME a/b -> a/c",
                "CREATE a/c/m/new mode=644",
                "WRITE a/g @1 \"y\"",
                "WRITE a/c/m/new @0 \"z\""), Capture.describe(run, dir));
        Rebuild.of(run.events()).assertMatches(dir);
    }
}
