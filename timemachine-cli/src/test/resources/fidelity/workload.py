#!/usr/bin/env python3
"""Fidelity workloads for the export oracle of DESIGN §2.

usage: workload.py SCENARIO ROOT MANIFEST [ARG...]

Each scenario performs file operations under ROOT. After each step it reads CLOCK_MONOTONIC (t) and
appends the exact tree under ROOT to MANIFEST, which lives outside ROOT and so is never recorded:

    step<TAB>LABEL<TAB>T_NS<TAB>KEY=VALUE ...
    f<TAB>MODE<TAB>SIZE<TAB>SHA256<TAB>RELPATH     a regular file (hard links: one line per name)
    d<TAB>MODE<TAB>-<TAB>-<TAB>RELPATH             a directory
    l<TAB>-<TAB>-<TAB>TARGET<TAB>RELPATH           a symlink
    end

MODE is the permission bits in octal (setuid, setgid and sticky included). Nothing happens between an
operation and the clock read that follows it, so `export --time @T` must show exactly the tree listed.
"""
import hashlib
import mmap
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import time

MIB = 1 << 20


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        while True:
            block = f.read(MIB)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def tree(root, skip):
    """The manifest lines of every entry under root (root itself excluded), without following symlinks."""
    lines = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            if skip(rel):
                if name in dirnames:
                    dirnames.remove(name)
                continue
            st = os.lstat(full)
            mode = '%04o' % stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                lines.append('l\t-\t-\t%s\t%s' % (os.readlink(full), rel))
            elif stat.S_ISDIR(st.st_mode):
                lines.append('d\t%s\t-\t-\t%s' % (mode, rel))
            elif stat.S_ISREG(st.st_mode):
                lines.append('f\t%s\t%d\t%s\t%s' % (mode, st.st_size, sha256_of(full), rel))
            else:
                raise SystemExit('unexpected file type at ' + full)
    return sorted(lines, key=lambda l: l.split('\t')[-1])


class Manifest:
    def __init__(self, root, path, skip=lambda rel: False):
        self.root = root
        self.skip = skip
        self.out = open(path, 'w')

    def mark(self, label, **extra):
        t = time.monotonic_ns()
        fields = ' '.join('%s=%s' % kv for kv in extra.items())
        self.out.write('step\t%s\t%d\t%s\n' % (label, t, fields))
        for line in tree(self.root, self.skip):
            self.out.write(line + '\n')
        self.out.write('end\n')
        self.out.flush()


def write(path, data, mode='wb'):
    with open(path, mode) as f:
        f.write(data)


def pwrite(path, offset, data):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(fd, data, offset)
    finally:
        os.close(fd)


def rnd(n, seed):
    return random.Random(seed).randbytes(n)


def main_scenario(root, m):
    """Every kind of change on a tree the test populated before recording (see WorkloadFidelityTest)."""
    p = lambda *names: os.path.join(root, *names)
    m.mark('baseline')

    # in-place edits of a large pre-existing file
    pwrite(p('big.dat'), 0, rnd(4096, 1))
    pwrite(p('big.dat'), MIB + 13, rnd(65536, 2))
    m.mark('big-edit-1')
    size = os.path.getsize(p('big.dat'))
    pwrite(p('big.dat'), size - 100, rnd(100, 3))
    pwrite(p('big.dat'), 3 * MIB - 7, rnd(3 * 4096, 4))
    m.mark('big-edit-2')

    # pre-existing file edited in place, untouched files stay as they were
    pwrite(p('keep', 'edit-me.bin'), 1000, b'EDITED' * 100)
    m.mark('pre-existing-edit')

    # appends
    write(p('log.txt'), b'appended line 1\n', 'ab')
    m.mark('append-1')
    for i in range(50):
        write(p('log.txt'), b'appended line %d\n' % (i + 2), 'ab')
    m.mark('append-50')

    # atomic save: write a temp file, then rename it over the original
    write(p('config.json'), b'{"version": 1}\n')
    m.mark('config-v1')
    write(p('config.json.tmp'), b'{"version": 2, "pad": "' + b'x' * 5000 + b'"}\n')
    m.mark('config-tmp-written')
    os.replace(p('config.json.tmp'), p('config.json'))
    m.mark('config-v2-atomic')

    # truncate, extend, sparse
    with open(p('sparse.bin'), 'wb') as f:
        f.seek(5 * MIB)
        f.write(b'end of a sparse file')
    m.mark('sparse')
    os.truncate(p('keep', 'edit-me.bin'), 100000)
    m.mark('truncate-shrink')
    os.truncate(p('keep', 'edit-me.bin'), 300000)
    m.mark('truncate-extend')
    pwrite(p('keep', 'edit-me.bin'), 200000, b'inside the extension')
    m.mark('write-in-extension')
    with open(p('keep', 'edit-me.bin'), 'wb') as f:
        f.write(b'rewritten from empty')
    m.mark('truncate-rewrite')
    fd = os.open(p('sparse.bin'), os.O_WRONLY)
    os.posix_fallocate(fd, 0, 6 * MIB)
    os.close(fd)
    m.mark('fallocate-extend')

    # directories: create with contents, rename, delete
    os.makedirs(p('d1', 'd2', 'd3'))
    os.mkdir(p('d1', 'empty'))
    write(p('d1', 'd2', 'a.txt'), b'a in d2\n')
    write(p('d1', 'd2', 'd3', 'b.txt'), b'b in d3\n')
    m.mark('mkdir-tree')
    os.rename(p('d1'), p('renamed'))
    m.mark('rename-dir')
    write(p('renamed', 'd2', 'a.txt'), b'a edited after the rename\n', 'ab')
    m.mark('write-after-dir-rename')
    os.makedirs(p('moved'))
    os.rename(p('olddir'), p('moved', 'olddir'))
    m.mark('rename-pre-existing-dir')
    shutil.rmtree(p('renamed'))
    m.mark('rmtree')
    os.rmdir(p('keep', 'empty'))
    m.mark('rmdir-pre-existing-empty')

    # modes
    os.chmod(p('script.sh'), 0o755)
    os.chmod(p('keep', 'untouched-mode.txt'), 0o600)
    os.chmod(p('moved'), 0o700)
    write(p('readonly.txt'), b'read only\n')
    os.chmod(p('readonly.txt'), 0o444)
    m.mark('chmod')
    os.chmod(p('script.sh'), 0o4750)
    m.mark('chmod-setuid')

    # symlinks
    os.symlink('keep/untouched.txt', p('link-to-file'))
    os.symlink('does/not/exist', p('dangling'))
    os.symlink('moved', p('link-to-dir'))
    m.mark('symlinks')
    os.symlink('config.json', p('link.tmp'))
    os.replace(p('link.tmp'), p('link-to-file'))
    os.unlink(p('pre-symlink'))
    m.mark('symlink-replaced')

    # hard links
    os.link(p('log.txt'), p('log-link.txt'))
    m.mark('link')
    write(p('log-link.txt'), b'appended through the second name\n', 'ab')
    m.mark('write-through-link')
    pwrite(p('pre-link-b.txt'), 0, b'PRE-EXISTING LINK EDITED')
    m.mark('write-through-pre-existing-link')
    os.unlink(p('log.txt'))
    write(p('log-link.txt'), b'after the first name went\n', 'ab')
    m.mark('unlink-one-name')

    # a file deleted, then a new one under the same name
    os.unlink(p('keep', 'deleted-later.txt'))
    m.mark('delete-pre-existing')
    write(p('keep', 'deleted-later.txt'), b'a new file under an old name\n')
    m.mark('recreate')

    concurrent_writers(p, m)
    sqlite_transactions(p('app.db'), m)
    m.mark('final')


def concurrent_writers(p, m):
    """Four processes write at once: each its own file, and disjoint regions of one shared file."""
    procs = 4
    region = 64 * 1024
    write(p('shared.bin'), bytes(procs * region))
    m.mark('shared-created')
    children = []
    for n in range(procs):
        pid = os.fork()
        if pid == 0:
            try:
                data = rnd(region, 100 + n)
                fd = os.open(p('shared.bin'), os.O_WRONLY)
                own = os.open(p('proc-%d.txt' % n), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                for i in range(0, region, 512):
                    os.pwrite(fd, data[i:i + 512], n * region + i)
                    os.write(own, b'process %d line %d\n' % (n, i // 512))
                os.close(fd)
                os.close(own)
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise SystemExit('a writer process failed')
    m.mark('concurrent-writers')


def sqlite_transactions(db, m):
    """A real SQLite database (rollback journal) written in transactions; each mark carries the row count."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute('PRAGMA journal_mode=DELETE')
    con.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, payload BLOB)')
    m.mark('sqlite-created', db='app.db', rows=0)
    rows = 0
    r = random.Random(9)
    for tx in range(6):
        con.execute('BEGIN')
        for _ in range(150):
            con.execute('INSERT INTO t (name, payload) VALUES (?, ?)', ('row %d' % rows, r.randbytes(r.randrange(10, 600))))
            rows += 1
        con.execute('COMMIT')
        m.mark('sqlite-tx-%d' % tx, db='app.db', rows=rows)
    con.execute('BEGIN')
    con.execute('DELETE FROM t WHERE id % 3 = 0')
    con.execute("UPDATE t SET name = name || ' updated' WHERE id % 5 = 0")
    con.execute('COMMIT')
    rows = con.execute('SELECT count(*) FROM t').fetchone()[0]
    m.mark('sqlite-delete-update', db='app.db', rows=rows)
    con.execute('VACUUM')
    m.mark('sqlite-vacuum', db='app.db', rows=rows)
    con.close()


def sqlite_wal_scenario(root, m):
    """SQLite in WAL mode: -wal is written with writes, -shm through a shared mapping (approximate while it
    lives); at the last close SQLite checkpoints into the database and unlinks both, which must not come back."""
    db = os.path.join(root, 'wal.db')
    con = sqlite3.connect(db, isolation_level=None)
    con.execute('PRAGMA journal_mode=WAL')
    con.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, payload BLOB)')
    r = random.Random(5)
    for tx in range(4):
        con.execute('BEGIN')
        for i in range(100):
            con.execute('INSERT INTO t (name, payload) VALUES (?, ?)', ('row %d' % i, r.randbytes(r.randrange(10, 300))))
        con.execute('COMMIT')
        m.mark('wal-tx-%d' % tx)
    con.close()
    m.mark('closed', db='wal.db', rows=400)
    write(os.path.join(root, 'after.txt'), b'written after the close\n')
    m.mark('after-close', db='wal.db', rows=400)


def aio_scenario(root, m, uring_ops):
    """Asynchronous I/O, both exact: fio through libaio (io_submit names every write's buffer) and through io_uring
    (each completed write copied from its buffer), each 4 MiB of random 4 KiB direct writes; then every kind of
    name change through io_uring (uring-ops.c, one request each), which bypasses the syscalls, and one that fails
    and must change nothing."""
    fio = lambda name, engine: subprocess.run(['fio', '--name=' + name, '--filename=' + os.path.join(root, name),
                                               '--size=4M', '--bs=4k', '--rw=randwrite', '--ioengine=' + engine,
                                               '--direct=1', '--iodepth=8', '--randrepeat=1', '--refill_buffers',
                                               '--output=/dev/null'], check=True)
    ring = lambda *args: subprocess.run([uring_ops] + list(args), check=True)
    at = lambda *names: os.path.join(root, *names)
    write(at('plain.txt'), b'written with write()\n')
    m.mark('before')
    fio('libaio.bin', 'libaio')
    m.mark('libaio')
    fio('uring.bin', 'io_uring')
    m.mark('io-uring')
    ring('create', at('created.txt'), '640')
    m.mark('uring-created')
    ring('write', at('created.txt'), '3', 'XYZ')
    m.mark('uring-written')
    ring('writev', at('created.txt'), '10', 'ab', 'cd')
    m.mark('uring-writev')
    ring('mkdir', at('dir'), '750')
    m.mark('uring-mkdir')
    ring('rename', at('created.txt'), at('dir', 'moved.txt'))
    m.mark('uring-renamed')
    ring('symlink', 'moved.txt', at('dir', 'sym'))
    m.mark('uring-symlink')
    ring('link', at('dir', 'moved.txt'), at('dir', 'hard.txt'))
    m.mark('uring-link')
    ring('write', at('dir', 'hard.txt'), '0', 'through the link')
    m.mark('uring-written-through-link')
    if subprocess.run([uring_ops, 'rename', at('missing.txt'), at('plain.txt')],
                      stderr=subprocess.DEVNULL).returncode == 0:
        raise SystemExit('renaming a missing file succeeded')
    m.mark('uring-rename-failed')
    ring('unlink', at('dir', 'hard.txt'))
    m.mark('uring-unlinked')
    ring('unlink', at('dir', 'sym'))
    ring('unlink', at('dir', 'moved.txt'))
    ring('rmdir', at('dir'))
    m.mark('uring-rmdir')
    write(at('plain.txt'), b'and after\n', 'ab')
    m.mark('after')


def reflink_scenario(root, m):
    """Reflinks, on a filesystem that has them (XFS): cp --reflink=always (ioctl FICLONE) and FICLONERANGE
    through fcntl.ioctl; the sources change right after, so each step exports exactly only if the clone took the
    source's bytes of its own instant."""
    import fcntl
    import struct
    p = lambda *names: os.path.join(root, *names)
    write(p('src.bin'), rnd(MIB + 5, 31))
    m.mark('source-written')
    subprocess.run(['cp', '--reflink=always', 'src.bin', 'clone.bin'], check=True, cwd=root)
    m.mark('cp-reflink')
    pwrite(p('src.bin'), 0, b'changed right after the clone')
    m.mark('source-changed')
    write(p('range.bin'), rnd(128 * 1024, 32))
    src = os.open(p('src.bin'), os.O_RDONLY)
    dst = os.open(p('range.bin'), os.O_RDWR)
    ficlonerange = 0x4020940d
    fcntl.ioctl(dst, ficlonerange, struct.pack('qQQQ', src, 4096, 8192, 65536))
    os.close(dst)
    os.close(src)
    m.mark('clone-range')
    pwrite(p('src.bin'), 5000, b'and changed again')
    m.mark('source-changed-again')


MAKEFILE = '''\
all: out/bundle.txt out/lib.bin out/final.txt

out:
\tmkdir -p out

out/%.txt: src/%.txt | out
\tcp $< $@

out/bundle.txt: out/a.txt out/b.txt out/c.txt
\tcat $^ > $@

out/lib.bin: src/lib.bin | out
\tinstall -m 0644 $< $@

out/final.txt: out/bundle.txt
\tcp $< $@.tmp && mv $@.tmp $@
'''


def make_scenario(root, m):
    """A make -j4 build whose recipes copy with cp, cat and install and publish with mv, then a rebuild after
    an edit: the build's outputs are exact at every step."""
    p = lambda *names: os.path.join(root, *names)
    os.makedirs(p('src'))
    write(p('Makefile'), MAKEFILE.encode())
    for name in 'abc':
        write(p('src', name + '.txt'), ('source %s\n' % name).encode() * 200)
    write(p('src', 'lib.bin'), rnd(500000, 41))
    m.mark('sources')
    subprocess.run(['make', '-s', '-j4'], check=True, cwd=root)
    m.mark('built')
    time.sleep(0.01)  # make compares mtimes
    pwrite(p('src', 'b.txt'), 0, b'EDITED')
    subprocess.run(['make', '-s', '-j4'], check=True, cwd=root)
    m.mark('rebuilt')


MAPPED_CHILD = '''
import mmap, os, sys
f = sys.argv[1]
fd = os.open(f, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.ftruncate(fd, 8192)
mm = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
mm[100:105] = b'hello'
mm.flush()
mm.close()
os.close(fd)
with open(f, 'wb') as w:
    w.write(b'rewritten whole\\n')
'''


MAPPED_NO_MUNMAP = '''
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
mm = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
mm[0:7] = b'exiting'
os._exit(0)
'''


def mapped_scenario(root, m):
    """Files written through shared mappings: approximate from the mapping on, read by the recorder at msync,
    munmap and exit, where the stores are in the file, and exact from each of those on while nothing else maps
    it. A child maps, stores, unmaps and rewrites whole with O_TRUNC, then exits: its exit must not make the
    file approximate again. Another child stores and exits without unmapping; a forked child stores through
    the mapping it inherited."""
    f = os.path.join(root, 'mapped.bin')
    m.mark('before')
    subprocess.run([sys.executable, '-c', MAPPED_CHILD, f], check=True)
    m.mark('child-exited')
    write(f, b'and appended\n', 'ab')
    m.mark('appended')
    g = os.path.join(root, 'pages.bin')
    write(g, rnd(3 * 4096, 31))
    m.mark('pages-written')
    fd = os.open(g, os.O_RDWR)
    mm = mmap.mmap(fd, 2 * 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=4096)
    mm[10:15] = b'store'
    m.mark('stored', approximate='pages.bin')
    mm.flush()
    m.mark('msynced-still-mapped', approximate='pages.bin')
    mm[5000:5006] = b'second'
    mm.close()
    m.mark('unmapped')
    os.pwrite(fd, b'written after', 100)
    m.mark('written-after-unmap')
    mm = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    pid = os.fork()
    if pid == 0:
        mm[0:5] = b'child'
        os._exit(0)
    os.waitpid(pid, 0)
    m.mark('forked-child-stored', approximate='pages.bin')
    mm.close()
    os.close(fd)
    m.mark('parent-unmapped')
    subprocess.run([sys.executable, '-c', MAPPED_NO_MUNMAP, g], check=True)
    m.mark('exited-without-munmap')


def renameat2_exchange(a, b):
    """renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE): python has no wrapper."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, rename_exchange = -100, 2
    if libc.renameat2(at_fdcwd, a.encode(), at_fdcwd, b.encode(), rename_exchange) != 0:
        raise OSError(ctypes.get_errno(), 'renameat2 RENAME_EXCHANGE failed')


def edge_scenario(root, m):
    """The less common ways to change files: open descriptors across renames and unlinks, O_TRUNC, vectored
    writes, ftruncate/fchmod, umask, names with spaces and non-ASCII letters, RENAME_EXCHANGE, symlink chains."""
    p = lambda *names: os.path.join(root, *names)
    m.mark('baseline')

    os.makedirs(p('a'))
    fd = os.open(p('a', 'open.txt'), os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b'written before the rename\n')
    m.mark('open-fd')
    os.rename(p('a'), p('b'))
    m.mark('dir-renamed-with-fd-open')
    os.write(fd, b'written through the old descriptor after its directory was renamed\n')
    m.mark('write-through-fd-after-rename')
    os.rename(p('b', 'open.txt'), p('moved.txt'))
    os.write(fd, b'and after the file itself moved\n')
    m.mark('write-through-fd-after-file-rename')
    os.unlink(p('moved.txt'))
    m.mark('unlinked-while-open')
    os.write(fd, b'written to a deleted file: must not bring it back\n')
    os.fsync(fd)
    m.mark('write-to-deleted-file')
    os.close(fd)

    write(p('trunc.txt'), b'x' * 10000)
    m.mark('before-o-trunc')
    fd = os.open(p('trunc.txt'), os.O_WRONLY | os.O_TRUNC)
    m.mark('o-trunc')
    os.writev(fd, [b'vectored ', b'write ', b'in three parts\n'])
    m.mark('writev')
    os.pwritev(fd, [b'PWRITEV', b'!'], 3)
    m.mark('pwritev')
    os.ftruncate(fd, 5)
    m.mark('ftruncate')
    os.fchmod(fd, 0o640)
    m.mark('fchmod')
    os.close(fd)

    old = os.umask(0o027)
    os.mkdir(p('umask-dir'), 0o777)
    fd = os.open(p('umask-dir', 'umask-file'), os.O_WRONLY | os.O_CREAT, 0o666)
    os.write(fd, b'created under umask 027\n')
    os.close(fd)
    os.umask(old)
    m.mark('umask')

    write(p('name with spaces.txt'), b'spaces\n')
    os.makedirs(p('d\u00e9j\u00e0 vu', '\u65e5\u672c'))
    write(p('d\u00e9j\u00e0 vu', '\u65e5\u672c', 'f\u00fc\u00df.txt'), 'non-ASCII names\n'.encode())
    m.mark('names')
    os.rename(p('d\u00e9j\u00e0 vu'), p('renamed \u2603'))
    m.mark('rename-non-ascii-dir')

    write(p('left.txt'), b'left\n')
    os.makedirs(p('right'))
    write(p('right', 'inside.txt'), b'inside right\n')
    m.mark('before-exchange')
    renameat2_exchange(p('left.txt'), p('right'))
    m.mark('exchange-file-and-dir')

    os.makedirs(p('target-dir', 'sub'))
    os.symlink('target-dir/sub', p('chain-1'))
    os.symlink('chain-1', p('chain-2'))
    m.mark('symlink-chain')
    os.rename(p('target-dir'), p('target-dir-renamed'))
    m.mark('symlink-chain-dangling-after-rename')


def fallocate_scenario(root, m):
    """Every fallocate(2) mode, through util-linux's fallocate(1), on a file of distinct bytes; each is a
    deterministic edit (zeros, shifts, a new size), so every step must export exactly and nothing approximate."""
    f = os.path.join(root, 'image.bin')
    tool = lambda *args: subprocess.run(['fallocate'] + list(args) + [f], check=True)
    write(f, rnd(64 * 4096 + 100, 11))
    m.mark('written')
    tool('--punch-hole', '--offset', '4096', '--length', '8192')
    m.mark('punch-hole')
    tool('--punch-hole', '--offset', '5', '--length', '3')
    m.mark('punch-hole-unaligned')
    tool('--zero-range', '--offset', '20000', '--length', '10000')
    m.mark('zero-range')
    tool('--zero-range', '--offset', str(64 * 4096), '--length', '20000')
    m.mark('zero-range-past-the-end')
    tool('--zero-range', '--keep-size', '--offset', str(64 * 4096), '--length', '50000')
    m.mark('zero-range-keep-size-past-the-end')
    write(f, rnd(64 * 4096, 12))
    m.mark('rewritten-block-aligned')
    tool('--collapse-range', '--offset', str(8 * 4096), '--length', str(4 * 4096))
    m.mark('collapse-range')
    tool('--insert-range', '--offset', str(4 * 4096), '--length', str(2 * 4096))
    m.mark('insert-range')
    tool('--offset', '0', '--length', str(80 * 4096))
    m.mark('allocate-past-the-end')
    tool('--keep-size', '--offset', '0', '--length', str(100 * 4096))
    m.mark('allocate-keep-size')
    pwrite(f, 3, b'after the fallocates')
    m.mark('written-after')


def linkat(fd, name, dst):
    """linkat: of fd itself (name '', AT_EMPTY_PATH), or of /proc/self/fd/N followed (AT_SYMLINK_FOLLOW)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if name == '':
        r = libc.linkat(fd, b'', -100, dst.encode(), 0x1000)
    else:
        r = libc.linkat(-100, name.encode(), -100, dst.encode(), 0x400)
    if r != 0:
        raise OSError(ctypes.get_errno(), 'linkat ' + dst)


def tmpfile_scenario(root, m):
    """Files written unnamed (O_TMPFILE) and published with linkat, as glibc, systemd and editors save: each
    appears at its link with every byte written before, and what is written through the descriptor after goes to
    its name, across a rename; one never linked never appears, and one whose name is unlinked stays gone."""
    fd = os.open(root, os.O_TMPFILE | os.O_RDWR, 0o640)
    os.write(fd, b'written before it had a name\n')
    os.ftruncate(fd, 100)
    os.pwrite(fd, b'at 60', 60)
    os.fchmod(fd, 0o600)
    m.mark('unnamed')
    linkat(fd, '/proc/self/fd/%d' % fd, os.path.join(root, 'published.txt'))
    m.mark('linked')
    os.write(fd, b'and after')
    m.mark('written-after-link')
    os.rename(os.path.join(root, 'published.txt'), os.path.join(root, 'renamed.txt'))
    os.pwrite(fd, b'after the rename', 200)
    m.mark('written-after-rename')
    os.close(fd)
    os.mkdir(os.path.join(root, 'sub'))
    fd = os.open(os.path.join(root, 'sub'), os.O_TMPFILE | os.O_WRONLY, 0o644)
    os.write(fd, rnd(3 * MIB + 5, 21))
    linkat(fd, '', os.path.join(root, 'sub', 'big.bin'))
    os.close(fd)
    m.mark('big-linked-by-fd')
    fd = os.open(root, os.O_TMPFILE | os.O_WRONLY, 0o644)
    os.write(fd, b'never linked')
    os.close(fd)
    m.mark('discarded')
    fd = os.open(root, os.O_TMPFILE | os.O_WRONLY, 0o644)
    os.write(fd, b'linked, then unlinked')
    linkat(fd, '/proc/self/fd/%d' % fd, os.path.join(root, 'short-lived.txt'))
    os.unlink(os.path.join(root, 'short-lived.txt'))
    os.write(fd, b' and written to')
    os.close(fd)
    m.mark('unlinked-after-link')
    write(os.path.join(root, 'config.txt'), b'old config\n')
    m.mark('config-written')
    fd = os.open(root, os.O_TMPFILE | os.O_WRONLY, 0o644)
    os.write(fd, b'new config\n')
    linkat(fd, '/proc/self/fd/%d' % fd, os.path.join(root, '.config.txt.tmp'))
    os.close(fd)
    os.rename(os.path.join(root, '.config.txt.tmp'), os.path.join(root, 'config.txt'))
    m.mark('config-replaced')


def links_scenario(root, m):
    """Hard links: one file under three names (ln, then ln of the second name), written through one of them; then
    the first name replaced by a new file, which leaves the other two one file. Each step exports exactly, and
    the names that are one file are exported as one file (the test checks the inodes)."""
    p = lambda *names: os.path.join(root, *names)
    write(p('a.txt'), b'one file\n')
    os.link(p('a.txt'), p('b.txt'))
    os.mkdir(p('d'))
    os.link(p('b.txt'), p('d', 'c.txt'))
    m.mark('linked')
    write(p('b.txt'), b'written through b\n', 'ab')
    m.mark('written-through-a-link')
    os.unlink(p('a.txt'))
    write(p('a.txt'), b'a new file under the old name\n')
    m.mark('first-name-replaced')


def copies_scenario(root, m, outside):
    """Files written by copies that pass no bytes through user space: cp, cat and install (coreutils copies with
    copy_file_range), Python's os.copy_file_range and os.sendfile with offsets, a copy within one file, and cp
    from files outside the roots (one written while recorded, whose bytes the capture saw; one older than the
    recording, read when the capture delivers the copy). Sources change right after they are copied, so an export
    at the copy's step shows the copy made from the bytes of that instant. Nothing here is approximate."""
    p = lambda *names: os.path.join(root, *names)
    run = lambda *cmd: subprocess.run(list(cmd), check=True, cwd=root)
    write(p('src.bin'), rnd(300000, 21))
    m.mark('source-written')
    run('cp', 'src.bin', 'copy.bin')
    m.mark('cp')
    pwrite(p('src.bin'), 0, b'changed right after the copy')
    m.mark('source-changed-after-cp')
    write(p('a.txt'), b'first part\n')
    write(p('b.txt'), b'second part\n')
    run('sh', '-c', 'cat a.txt b.txt src.bin > cat.out')
    m.mark('cat')
    run('install', '-m', '0755', 'src.bin', 'installed.bin')
    m.mark('install')
    write(p('big.bin'), rnd(3 * MIB + 12345, 23))
    run('cp', 'big.bin', 'big-copy.bin')
    m.mark('cp-large')
    pwrite(p('big.bin'), 2 * MIB, b'big source changed')
    m.mark('large-source-changed')
    lib = os.path.join(outside, 'lib.bin')
    write(lib, rnd(200000, 22))
    time.sleep(0.2)  # older than its copy by more than file times' granularity, as sources outside are
    run('cp', lib, 'from-outside.bin')
    m.mark('cp-from-outside')
    time.sleep(0.5)  # the recorder reads the copy's source when the capture delivers it, milliseconds later
    pwrite(lib, 10, b'the outside source changed after the copy')
    pwrite(p('from-outside.bin'), 100000, b'edited in place')
    m.mark('copy-from-outside-edited')
    run('cp', os.path.abspath(__file__), 'this-script.py')  # outside, and older than the recording
    m.mark('cp-from-outside-before-the-recording')
    src = os.open(p('src.bin'), os.O_RDONLY)
    dst = os.open(p('python.bin'), os.O_WRONLY | os.O_CREAT, 0o644)
    assert os.copy_file_range(src, dst, 5000, 1000, 10) == 5000
    assert os.sendfile(dst, src, 70000, 20000) == 20000
    os.close(dst)
    os.close(src)
    m.mark('python-copy-file-range-and-sendfile')
    fd = os.open(p('copy.bin'), os.O_RDWR)
    assert os.copy_file_range(fd, fd, 8192, 0, 200000) == 8192
    os.close(fd)
    m.mark('copy-within-a-file')


def move_in_scenario(root, m, outside):
    """Files and directories moved into the root from outside it (the capture saw no bytes of the rename: the
    recorder reads them from disk when the capture delivers it) and out of it (deleted from the recording). What
    moves in was made 0.2 s before, and nothing touches it for 0.5 s after, except fresh.txt: made and moved in
    at once, then edited at once, whose bytes the capture saw written outside. Last, the JDK's jar, which writes
    its archive in java.io.tmpdir and moves it in, and mv from another file system (/dev/shm)."""
    p = lambda *names: os.path.join(root, *names)
    o = lambda *names: os.path.join(outside, *names)
    settle = lambda: time.sleep(0.5)  # the recorder reads what moved in milliseconds after the rename
    write(p('leaving.txt'), b'moved out later\n')
    m.mark('baseline')
    write(o('incoming.txt'), b'made outside the root\n')
    os.makedirs(o('incoming-dir', 'sub'))
    write(o('incoming-dir', 'sub', 'deep.txt'), b'deep\n')
    os.symlink('sub/deep.txt', o('incoming-dir', 'link'))
    os.chmod(o('incoming-dir', 'sub'), 0o750)
    m.mark('made-outside')
    time.sleep(0.2)  # older than the move by more than file times' granularity
    os.rename(o('incoming.txt'), p('incoming.txt'))
    m.mark('file-moved-in')
    settle()
    write(p('incoming.txt'), b'appended inside\n', 'ab')
    m.mark('appended-after-move-in')
    os.rename(o('incoming-dir'), p('incoming-dir'))
    m.mark('dir-moved-in')
    settle()
    write(p('incoming-dir', 'sub', 'deep.txt'), b'appended inside\n', 'ab')
    m.mark('appended-in-moved-in-dir')
    write(o('fresh.txt'), b'made and moved in at once\n')
    os.rename(o('fresh.txt'), p('fresh.txt'))
    m.mark('fresh-moved-in')
    write(p('fresh.txt'), b'and edited at once\n', 'ab')
    m.mark('fresh-edited')
    os.rename(p('incoming-dir'), p('incoming-dir-renamed'))
    m.mark('dir-renamed-inside')
    os.rename(p('leaving.txt'), o('left.txt'))
    m.mark('file-moved-out')
    os.makedirs(o('classes', 'pkg'))
    write(o('classes', 'pkg', 'A.class'), rnd(3000, 41))
    write(o('classes', 'pkg', 'B.class'), rnd(50000, 42))
    subprocess.run(['jar', '--create', '--file', p('app.jar'), '-C', o('classes'), '.'], check=True)
    m.mark('jar-created')
    subprocess.run(['jar', '--update', '--file', p('app.jar'), '-C', o('classes'), 'pkg/A.class'], check=True)
    m.mark('jar-updated')
    # mv from another file system (tmpfs): a copy, then an unlink of the source
    shm = '/dev/shm/timemachine-move-in-%d' % os.getpid()
    os.makedirs(shm)
    try:
        write(os.path.join(shm, 'across.txt'), rnd(70000, 43))
        subprocess.run(['mv', os.path.join(shm, 'across.txt'), p('across.txt')], check=True)
        m.mark('mv-across-file-systems')
    finally:
        shutil.rmtree(shm)
    # an access ACL sets the permission bits (mv above set across.txt's through fsetxattr): owner rwx, group r-x,
    # other --x, by name
    import struct
    acl = struct.pack('<I' + 'HHI' * 3, 2, 0x01, 7, 0xffffffff, 0x04, 5, 0xffffffff, 0x20, 1, 0xffffffff)
    os.setxattr(p('fresh.txt'), 'system.posix_acl_access', acl)
    m.mark('acl-set')


def large_scenario(root, m):
    """One file larger than 64 MiB, written in 4 MiB writes, then edited, extended and truncated."""
    path = os.path.join(root, 'huge.bin')
    block = 4 * MIB
    with open(path, 'wb', buffering=0) as f:
        for i in range(18):
            f.write(rnd(block, 1000 + i))
            if i == 7:
                m.mark('huge-32MiB')
    m.mark('huge-72MiB')
    for off in (10 * MIB + 5, 40 * MIB, 72 * MIB - 4096):
        pwrite(path, off, rnd(MIB // 4, off))
    m.mark('huge-edited')
    write(path, rnd(MIB, 7), 'ab')
    m.mark('huge-appended')
    os.truncate(path, 65 * MIB + 7)
    m.mark('huge-truncated')


def exclude_scenario(root, m, markers):
    """Writes files an --exclude of '*.key' and 'cache' keeps out, next to files that are recorded.

    The markers come from a file outside the root, so they are in no command line the recording stores."""
    p = lambda *names: os.path.join(root, *names)
    with open(markers) as f:
        secret_marker, public_marker = f.read().split()
    write(p('public.txt'), public_marker.encode() + b'\n')
    write(p('id.key'), secret_marker.encode() + b'\n')
    os.makedirs(p('cache', 'deep'))
    write(p('cache', 'deep', 'blob'), secret_marker.encode() + b' in the cache\n')
    write(p('sub.key'), b'first\n')
    m.mark('written')
    write(p('id.key'), b'more ' + secret_marker.encode() + b'\n', 'ab')
    os.rename(p('sub.key'), p('other.key'))
    shutil.rmtree(p('cache'))
    write(p('public.txt'), b'second line\n', 'ab')
    m.mark('changed')


def kill_scenario(root, m, marker_file, pid_file):
    """Steps, then a last write holding the marker (so the test can see it journaled), then waits to be killed.

    The marker comes from a file outside the root, so it is in no command line the recording stores."""
    p = lambda *names: os.path.join(root, *names)
    with open(marker_file) as f:
        marker = f.read().strip()
    write(pid_file, str(os.getpid()).encode())
    m.mark('baseline')
    for i in range(5):
        write(p('file-%d.txt' % i), b'content %d\n' % i * (i + 1))
        pwrite(p('pre.bin'), i * 1000, b'edit %d' % i)
        m.mark('step-%d' % i)
    os.makedirs(p('dir', 'sub'))
    os.rename(p('file-0.txt'), p('dir', 'sub', 'moved.txt'))
    os.unlink(p('file-1.txt'))
    m.mark('moved-and-deleted')
    write(p('last.txt'), marker.encode() + b'\n')
    m.mark('last')
    while True:
        time.sleep(60)


def disk_full_scenario(root, m, mib, exit_code):
    """A small step, then far more bytes than the state dir can hold; exits with exit_code."""
    p = lambda *names: os.path.join(root, *names)
    write(p('early.txt'), b'written before the disk filled\n')
    m.mark('early')
    with open(p('flood.bin'), 'wb', buffering=0) as f:
        for i in range(mib):
            f.write(rnd(MIB, 5000 + i))
    m.mark('flooded')
    sys.exit(exit_code)


def excluded(rel):
    """What the exclude scenario's manifest leaves out, as its record --exclude does."""
    return rel.endswith('.key') or rel.split(os.sep)[0] == 'cache'


# scenario: (function, the manifest's skip, how its extra arguments are read)
SCENARIOS = {
    'main': (main_scenario, None, ()),
    'edge': (edge_scenario, None, ()),
    'fallocate': (fallocate_scenario, None, ()),
    'mapped': (mapped_scenario, None, ()),
    'make': (make_scenario, None, ()),
    'reflink': (reflink_scenario, None, ()),
    'aio': (aio_scenario, None, (str,)),
    'sqlite-wal': (sqlite_wal_scenario, None, ()),
    'tmpfile': (tmpfile_scenario, None, ()),
    'links': (links_scenario, None, ()),
    'copies': (copies_scenario, None, (str,)),
    'move-in': (move_in_scenario, None, (str,)),
    'large': (large_scenario, None, ()),
    'exclude': (exclude_scenario, excluded, (str,)),
    'kill': (kill_scenario, None, (str, str)),
    'disk-full': (disk_full_scenario, None, (int, int)),
}


def main(argv):
    scenario, root, manifest = argv[1], argv[2], argv[3]
    if scenario not in SCENARIOS:
        raise SystemExit('unknown scenario ' + scenario)
    run, skip, kinds = SCENARIOS[scenario]
    m = Manifest(root, manifest, skip) if skip else Manifest(root, manifest)
    run(root, m, *[kind(a) for kind, a in zip(kinds, argv[4:])])


if __name__ == '__main__':
    main(sys.argv)
