// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * Time Machine capture: every file change of a tracked process tree, with the written bytes.
 *
 * sys_enter saves the arguments of the syscalls of interest per thread (task storage), sys_exit emits
 * the event once the result is known (failed syscalls change nothing and emit nothing). fentry and BPF
 * LSM are refused on the target kernels (docs/kernel.md), hence raw syscall tracepoints throughout.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "timemachine.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define AT_FDCWD -100
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000
#define AT_SYMLINK_FOLLOW 0x400
#define TS_COMPAT 0x0002 /* arch/x86/include/asm/thread_info.h: in a 32-bit syscall, or a 32-bit program */
#define __O_TMPFILE 020000000
#define O_ACCMODE 3
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_APPEND 02000
#define S_IFMT 0170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define FALLOC_FL_KEEP_SIZE 0x01
#define RWF_APPEND 0x10
#define PROT_WRITE 0x2
#define MAP_SHARED 0x01
#define VM_WRITE 0x2
#define VM_SHARED 0x8
#define FMODE_WRITE 0x2

#define PATH_LEN 4096
#define PATH_MASK (PATH_LEN - 1)
#define MAX_CHUNK ((16u << 20) - 4096)
#define HDR_SIZE sizeof(struct tm_hdr)

enum {
	NR_write = 1, NR_pwrite64 = 18, NR_writev = 20, NR_pwritev = 296, NR_pwritev2 = 328,
	NR_open = 2, NR_openat = 257, NR_openat2 = 437, NR_creat = 85,
	NR_truncate = 76, NR_ftruncate = 77, NR_fallocate = 285,
	NR_rename = 82, NR_renameat = 264, NR_renameat2 = 316,
	NR_unlink = 87, NR_unlinkat = 263, NR_mkdir = 83, NR_mkdirat = 258, NR_rmdir = 84,
	NR_chmod = 90, NR_fchmod = 91, NR_fchmodat = 268, NR_fchmodat2 = 452,
	NR_symlink = 88, NR_symlinkat = 266, NR_link = 86, NR_linkat = 265,
	NR_close = 3, NR_mmap = 9, NR_msync = 26, NR_munmap = 11,
	NR_copy_file_range = 326, NR_sendfile = 40, NR_splice = 275,
	NR_io_submit = 209, NR_ioctl = 16,
	NR_setxattr = 188, NR_lsetxattr = 189, NR_fsetxattr = 190,
	NR_mknod = 133, NR_mknodat = 259,
};

extern int bpf_probe_read_user_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
				      const void *unsafe_ptr) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * A kernel address held as a number, as a pointer to type the program loads through directly. The verifier
 * inlines the cast and turns each load into a plain one that the kernel's fault handler makes safe (0 on a bad
 * address, like bpf_probe_read_kernel): a field costs an instruction instead of a helper call
 * (docs/kernel.md, "Reading kernel structures"). Pointers loaded through one are typed the same way.
 */
#define KPTR(type, p) ((type *)bpf_rdonly_cast((const void *)(p), bpf_core_type_id_kernel(type)))
#define KF(f) KPTR(struct file, f)
/*
 * The current task, untrusted: a pointer loaded through bpf_get_current_task_btf()'s trusted one makes the
 * verifier search the kernel's BTF by name at each load it checks, which tripled tm_sys_exit's verification.
 */
#define CURRENT KPTR(struct task_struct, bpf_get_current_task())

struct inflight {
	long nr; /* -1 when no syscall of interest is in flight */
	__u64 args[6];
	__u64 aux;  /* close: the struct file; munmap/msync: the mapped struct file */
	__u64 aux2; /* munmap/msync: file offset of addr */
};

/* what sys_exit knows about one open file description */
struct fcache {
	__u64 dentry;  /* a reused struct file address with another dentry is a different file */
	__u64 gen;     /* rename generation at which the path was emitted */
	__u32 regular; /* 0: pipe, socket, device...: writes are not file changes */
	__u32 lost;    /* WRITE records of this file dropped since the last LOST record */
};

/*
 * Loop state lives in the map value, not on the stack: the verifier then sees unknown scalars on each
 * pass of a bpf_loop callback and converges at once, instead of exploring every possible value.
 */
struct walk_state {
	__u64 dentry;
	__u64 mnt;
	__u32 pos;
};

struct write_state {
	__u64 src;      /* user address of the next byte */
	__u64 iov_left; /* bytes left in the current buffer */
	__u64 iovp;     /* user iovec array, 0 for write/pwrite */
	__u64 left;     /* bytes of the syscall's result not yet emitted */
	__u64 offset;   /* file offset of the next byte */
	__u32 iov_idx;
	__u32 iovcnt;
	__u32 chunk;
	__u32 dropped;
	__u32 unreadable;
	__u16 flags;
};

struct scratch {
	struct walk_state w;
	struct write_state c;
	char walk[PATH_LEN + 256]; /* d_parent walk, built backwards from walk[PATH_LEN] */
	char name[PATH_LEN];       /* a user-supplied name */
	struct tm_hdr hdr;
	char data[3 * PATH_LEN + 512]; /* two paths; masks need the slack */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20); /* Java resizes before load */
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);  /* tgid */
	__type(value, __u8);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct file * */
	__type(value, struct fcache);
} files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tm_config);
} tm_config SEC(".maps");

/* processes holding (or having held) a shared writable file mapping */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);  /* tgid */
	__type(value, __u8);
} mappers SEC(".maps");

/* bumped by every tracked rename: cached open-file paths may have moved */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rename_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

static const __u32 ZERO;

static __always_inline int interesting(long id)
{
	switch (id) {
	case NR_write: case NR_pwrite64: case NR_writev: case NR_pwritev: case NR_pwritev2:
	case NR_open: case NR_openat: case NR_openat2: case NR_creat:
	case NR_truncate: case NR_ftruncate: case NR_fallocate:
	case NR_rename: case NR_renameat: case NR_renameat2:
	case NR_unlink: case NR_unlinkat: case NR_mkdir: case NR_mkdirat: case NR_rmdir:
	case NR_chmod: case NR_fchmod: case NR_fchmodat: case NR_fchmodat2:
	case NR_symlink: case NR_symlinkat: case NR_link: case NR_linkat:
	case NR_close: case NR_mmap: case NR_msync: case NR_munmap:
	case NR_copy_file_range: case NR_sendfile: case NR_splice:
	case NR_io_submit: case NR_ioctl:
	case NR_setxattr: case NR_lsetxattr: case NR_fsetxattr:
	case NR_mknod: case NR_mknodat:
		return 1;
	}
	return 0;
}

static __always_inline void count_drop(void)
{
	__u64 *d = bpf_map_lookup_elem(&drops, &ZERO);
	if (d)
		*d += 1;
}

/*
 * Wakeups dominate the cost (docs/kernel.md): wake the consumer only when the waiting data crosses the
 * threshold with this record. The consumer sleeps only once it has drained the ring, so a record that
 * finds the threshold already passed finds it awake (and a wakeup missed in a race between CPUs is made
 * up by the consumer's poll timeout). `pending` is the data waiting before this record, `size` its size.
 */
static __always_inline __u64 wake_flags(__u64 pending, __u64 size)
{
	struct tm_config *c = bpf_map_lookup_elem(&tm_config, &ZERO);
	__u64 threshold = c ? c->wakeup_bytes : 0;
	return threshold == 0 || (pending < threshold && pending + size >= threshold) ? BPF_RB_FORCE_WAKEUP
										    : BPF_RB_NO_WAKEUP;
}

/* Waiting data before a record of `size` bytes that is yet to be reserved. */
static __always_inline __u64 pending_before(void)
{
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
}

/*
 * The current task's open file fd, as a number: callers read it through KF. Syscall int arguments may come with
 * garbage or zero-extension in the upper half: compare as int.
 */
static __always_inline struct file *fd_file(int fd)
{
	struct fdtable *fdt = CURRENT->files->fdt;
	unsigned int max = fdt->max_fds;
	struct file **fds = fdt->fd;
	struct file *f = NULL;

	if (fd < 0 || fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static long walk_step(__u32 i, void *vctx)
{
	struct scratch *s = *(struct scratch **)vctx;
	struct walk_state *w = &s->w;
	struct dentry *d = KPTR(struct dentry, w->dentry);
	struct vfsmount *vm = KPTR(struct vfsmount, w->mnt);
	struct dentry *parent;
	const unsigned char *name;
	__u32 len, pos;

	if (w->dentry == (__u64)vm->mnt_root) {
		/* at the root of a mount: continue from its mountpoint in the parent mount */
		struct mount *m = KPTR(struct mount, w->mnt - bpf_core_field_offset(struct mount, mnt));
		__u64 p = (__u64)m->mnt_parent;

		if (p == (__u64)m)
			return 1;
		w->dentry = (__u64)m->mnt_mountpoint;
		w->mnt = p + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	parent = d->d_parent;
	if ((__u64)parent == w->dentry || !parent)
		return 1;
	len = d->d_name.len;
	name = d->d_name.name;
	if (len > 255)
		len = 255;
	pos = w->pos;
	if (pos > PATH_LEN || pos < len + 2)
		return 1; /* too deep: keep the deepest part rather than fail */
	pos -= len;
	bpf_probe_read_kernel(&s->walk[pos & PATH_MASK], len, name);
	pos -= 1;
	s->walk[pos & PATH_MASK] = '/';
	w->pos = pos;
	w->dentry = (__u64)parent;
	return 0;
}

/* Absolute path of (mnt, dentry) into s->walk[PATH_LEN - len, PATH_LEN); returns len. */
static __noinline __u32 walk_path(struct scratch *s, __u64 mnt, __u64 dentry)
{
	struct scratch *ctx = s;
	__u32 pos;

	s->w.dentry = dentry;
	s->w.mnt = mnt;
	s->w.pos = PATH_LEN;
	bpf_loop(512, walk_step, &ctx, 0);
	pos = s->w.pos;
	if (pos >= PATH_LEN || pos == 0) {
		pos = PATH_LEN - 1;
		s->walk[PATH_LEN - 1] = '/';
	}
	return PATH_LEN - pos;
}

/* Copies the last walk into s->data at offset at; returns the new end offset. */
static __always_inline __u32 put_walk(struct scratch *s, __u32 at, __u32 len)
{
	if (len > PATH_LEN - 1)
		len = PATH_LEN - 1;
	bpf_probe_read_kernel(&s->data[at & (2 * PATH_LEN - 1)], len & PATH_MASK,
			      &s->walk[(PATH_LEN - len) & PATH_MASK]);
	return at + len;
}

static __always_inline __u32 file_walk(struct scratch *s, struct file *f)
{
	return walk_path(s, (__u64)KF(f)->f_path.mnt, (__u64)KF(f)->f_path.dentry);
}

/*
 * Writes the absolute form of a user-supplied name, relative to dfd (or the cwd), at s->data + at.
 * Returns the number of bytes written, 0 if the name could not be read.
 */
/* dfd and name (a user pointer, or with kernel set a kernel one) as an absolute path at s->data[at]. */
static __noinline __u32 put_at_path(struct scratch *s, __u32 at, int dfd, __u64 name, int kernel)
{
	long n = kernel ? bpf_probe_read_kernel_str(s->name, PATH_LEN, (void *)name)
			: bpf_probe_read_user_str(s->name, PATH_LEN, (void *)name);
	__u32 blen, end, nlen;

	at &= PATH_MASK;
	if (n < 1)
		return 0;
	nlen = (n - 1) & PATH_MASK;
	if (nlen > 0 && s->name[0] == '/') {
		bpf_probe_read_kernel(&s->data[at], nlen, s->name);
		return nlen;
	}
	if (dfd == AT_FDCWD) {
		struct fs_struct *fs = CURRENT->fs;
		blen = walk_path(s, (__u64)fs->pwd.mnt, (__u64)fs->pwd.dentry);
	} else {
		struct file *f = fd_file(dfd);
		if (!f)
			return 0;
		blen = file_walk(s, f);
	}
	end = put_walk(s, at, blen);
	if (nlen == 0)
		return end - at;
	if (blen > 1) {
		s->data[end & (2 * PATH_LEN - 1)] = '/';
		end++;
	}
	if (end - at + nlen > PATH_LEN - 1) {
		/* an absolute path over PATH_MAX: not representable, so counted as lost rather than misnamed */
		count_drop();
		return 0;
	}
	bpf_probe_read_kernel(&s->data[end & (2 * PATH_LEN - 1)], nlen, s->name);
	return end + nlen - at;
}

static __always_inline struct scratch *begin(__u64 now, int type, __u16 flags)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch, &ZERO);
	__u64 pt = bpf_get_current_pid_tgid();

	if (!s)
		return NULL;
	s->hdr.time_ns = now;
	s->hdr.file_key = 0;
	s->hdr.offset = 0;
	s->hdr.length = 0;
	s->hdr.pid = pt >> 32;
	s->hdr.tid = (__u32)pt;
	s->hdr.mode = 0;
	s->hdr.type = type;
	s->hdr.flags = flags;
	s->hdr.len1 = 0;
	s->hdr.len2 = 0;
	return s;
}

/* Emits s->hdr followed by s->data[0, len1 + len2). */
static __noinline int emit(struct scratch *s)
{
	__u64 size = HDR_SIZE + s->hdr.len1 + s->hdr.len2;

	if (size > HDR_SIZE + 2 * PATH_LEN)
		return -1;
	/* hdr and data are adjacent in struct scratch, so one output carries both */
	if (bpf_ringbuf_output(&rb, &s->hdr, size, wake_flags(pending_before(), size))) {
		count_drop();
		return -1;
	}
	return 0;
}

static __always_inline __u64 current_gen(void)
{
	__u64 *g = bpf_map_lookup_elem(&rename_gen, &ZERO);
	return g ? *g : 0;
}

/*
 * Makes sure user space knows the path of file f (a PATH record keyed by f), unless f is not a regular
 * file. Returns the cache entry, or NULL when writes to f are not file changes.
 */
/* Opened with O_TMPFILE: its dentry stays the unnamed one even after linkat gives the inode a name. */
static __always_inline int is_tmpfile(struct file *f)
{
	return (KF(f)->f_flags & __O_TMPFILE) != 0;
}

/*
 * Records about an O_TMPFILE file name it by its open file, which the decoder binds to the name linkat gives
 * it; records about another unlinked file are dropped: it is invisible in the tree (0: drop).
 */
static __always_inline int tag_file(struct scratch *s, struct file *f)
{
	if (is_tmpfile(f)) {
		s->hdr.flags |= TM_FLAG_TMPFILE;
		s->hdr.file_key = (__u64)f;
		return 1;
	}
	return KF(f)->f_inode->i_nlink != 0;
}

static __noinline struct fcache *known_file(struct file *f, __u64 now, int force)
{
	__u64 key = (__u64)f;
	__u64 dentry = (__u64)KF(f)->f_path.dentry;
	__u64 gen = current_gen();
	struct fcache *fc = bpf_map_lookup_elem(&files, &key);
	struct fcache nc = {};
	struct scratch *s;

	if (fc && !force && fc->dentry == dentry && fc->gen == gen)
		return fc->regular ? fc : NULL;
	nc.dentry = dentry;
	nc.gen = gen;
	nc.regular = (KF(f)->f_inode->i_mode & S_IFMT) == S_IFREG;
	if (nc.regular) {
		s = begin(now, TM_REC_PATH, is_tmpfile(f) ? TM_FLAG_TMPFILE : 0);
		if (!s)
			return NULL;
		s->hdr.file_key = key;
		s->hdr.len1 = put_walk(s, 0, file_walk(s, f));
		if (emit(s))
			return NULL; /* not cached: the next write retries */
	}
	bpf_map_update_elem(&files, &key, &nc, BPF_ANY);
	fc = bpf_map_lookup_elem(&files, &key);
	return fc && fc->regular ? fc : NULL;
}

/* One event about an open file, its path inline; tf packs its type, flags and mode (five arguments at most). */
#define TFM(type, flags, mode) ((__u64)(type) | ((__u64)(flags) << 16) | ((__u64)(mode) << 32))
#define TF(type, flags) TFM(type, flags, 0)

static __noinline int emit_file_event(__u64 now, __u64 tf, struct file *f, __u64 offset, __u64 length)
{
	struct scratch *s;

	if (!f || (KF(f)->f_inode->i_mode & S_IFMT) != S_IFREG)
		return 0;
	s = begin(now, tf & 0xffff, (tf >> 16) & 0xffff);
	if (!s || !tag_file(s, f))
		return 0;
	s->hdr.mode = tf >> 32;
	s->hdr.offset = offset;
	s->hdr.length = length;
	s->hdr.len1 = put_walk(s, 0, file_walk(s, f));
	return emit(s);
}

__noinline int emit_fd_event(__u64 now, __u64 tf, int fd, __u64 offset, __u64 length)
{
	return emit_file_event(now, tf, fd_file(fd), offset, length);
}

/* chmod through an open file (fchmod, or a path naming one of the caller's descriptors). */
__noinline int emit_fchmod(__u64 now, long fd, __u64 mode)
{
	struct file *f = fd_file(fd);
	struct scratch *s;

	if (!f)
		return 0;
	s = begin(now, TM_OP_CHMOD, 0);
	if (!s || !tag_file(s, f))
		return 0;
	if ((KF(f)->f_inode->i_mode & S_IFMT) == S_IFDIR)
		s->hdr.flags = TM_FLAG_DIRECTORY;
	s->hdr.mode = mode & 07777;
	s->hdr.len1 = put_walk(s, 0, file_walk(s, f));
	return emit(s);
}

/*
 * The descriptor a name of the form "/proc/self/fd/N" refers to, or -1. glibc's fchmodat with
 * AT_SYMLINK_NOFOLLOW (tar restoring directory modes, for one) opens the path O_PATH and then calls
 * chmod("/proc/self/fd/N"): resolved as a name, that path is outside every root.
 */
static __noinline long proc_self_fd(__u64 name)
{
	char buf[24] = {};
	long fd = 0;

	if (bpf_probe_read_user_str(buf, sizeof(buf), (void *)name) < 16)
		return -1;
	if (buf[0] != '/' || buf[1] != 'p' || buf[2] != 'r' || buf[3] != 'o' || buf[4] != 'c' || buf[5] != '/' ||
	    buf[6] != 's' || buf[7] != 'e' || buf[8] != 'l' || buf[9] != 'f' || buf[10] != '/' || buf[11] != 'f' ||
	    buf[12] != 'd' || buf[13] != '/')
		return -1;
	for (int i = 14; i < 23; i++) {
		char c = buf[i];

		if (c == 0)
			return i > 14 ? fd : -1;
		if (c < '0' || c > '9')
			return -1;
		fd = fd * 10 + (c - '0');
	}
	return -1;
}

/* One event about one or two user-supplied names. */
struct name_event {
	__u64 now;
	__u64 length;
	long dfd1;
	__u64 name1;
	long dfd2;
	__u64 name2; /* 0: none */
	__u32 mode;
	__u16 type;
	__u16 flags;
	int raw2;    /* name2 is a symlink target: stored as written, not resolved */
	int kernel;  /* the names are kernel strings (an io_uring request's), not user pointers */
	__u64 key;   /* file_key of the record */
};

__noinline int emit_name_event(struct name_event *e)
{
	struct scratch *s;
	long dfd2;
	__u64 name2;
	__u32 len1, len2 = 0;

	if (!e)
		return 0;
	s = begin(e->now, e->type, e->flags);
	dfd2 = e->dfd2;
	name2 = e->name2;
	if (!s)
		return 0;
	len1 = put_at_path(s, 0, e->dfd1, e->name1, e->kernel);
	if (!len1)
		return 0;
	if (name2 && e->raw2) {
		long n = e->kernel ? bpf_probe_read_kernel_str(s->name, PATH_LEN, (void *)name2)
				   : bpf_probe_read_user_str(s->name, PATH_LEN, (void *)name2);
		if (n < 1)
			return 0;
		len2 = (n - 1) & PATH_MASK;
		bpf_probe_read_kernel(&s->data[len1 & PATH_MASK], len2, s->name);
	} else if (name2) {
		len2 = put_at_path(s, len1, dfd2, name2, e->kernel);
		if (!len2)
			return 0;
	}
	s->hdr.mode = e->mode;
	s->hdr.length = e->length;
	s->hdr.file_key = e->key;
	s->hdr.len1 = len1;
	s->hdr.len2 = len2;
	return emit(s);
}

static long write_step(__u32 i, void *vctx)
{
	struct scratch *s = *(struct scratch **)vctx;
	struct write_state *c = &s->c;
	struct tm_hdr *h = &s->hdr;
	struct bpf_dynptr dp;
	__u64 n, pending;

	if (c->left == 0)
		return 1;
	if (c->iov_left == 0) {
		struct iovec iov;

		if (!c->iovp || c->iov_idx >= c->iovcnt)
			return 1;
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(c->iovp + 16 * (__u64)c->iov_idx))) {
			c->unreadable = 1;
			return 1;
		}
		c->iov_idx++;
		c->src = (__u64)iov.iov_base;
		c->iov_left = iov.iov_len;
		return 0;
	}
	n = c->left < c->iov_left ? c->left : c->iov_left;
	if (n > c->chunk)
		n = c->chunk;
	h->offset = c->offset;
	h->length = n;
	h->len1 = n;
	h->flags = c->flags | (c->left > n ? TM_FLAG_CHUNK_MORE : 0);
	if (bpf_ringbuf_reserve_dynptr(&rb, HDR_SIZE + n, 0, &dp)) {
		bpf_ringbuf_discard_dynptr(&dp, 0);
		count_drop();
		c->dropped++;
	} else {
		bpf_dynptr_write(&dp, 0, h, HDR_SIZE, 0);
		/* at sys_exit the kernel has just read these pages, so they are resident */
		if (bpf_probe_read_user_dynptr(&dp, HDR_SIZE, n, (void *)c->src)) {
			bpf_ringbuf_discard_dynptr(&dp, 0);
			c->unreadable = 1;
			return 1;
		}
		/* the reserved record already counts as waiting data (with its 8-byte ring header) */
		pending = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
		bpf_ringbuf_submit_dynptr(&dp, wake_flags(pending > HDR_SIZE + n + 8 ? pending - HDR_SIZE - n - 8 : 0,
							  HDR_SIZE + n + 8));
	}
	c->src += n;
	c->iov_left -= n;
	c->left -= n;
	c->offset += n;
	return 0;
}

/* A write of ret bytes to f, described by a as the syscall's arguments (args[0], the fd, is not used). */
__noinline int emit_write(__u64 now, __u64 file, struct inflight *a, long ret)
{
	struct file *f = (void *)file;
	struct tm_config *cfg = bpf_map_lookup_elem(&tm_config, &ZERO);
	struct write_state *c;
	struct scratch *s;
	struct fcache *fc;
	__u32 chunk, steps;
	__u64 pos;
	long nr;

	if (!f || !cfg || !a)
		return 0;
	nr = a->nr;
	fc = known_file(f, now, 0);
	if (!fc)
		return 0;
	/* an unlinked file is invisible in the tree: its writes change nothing there, unless it is linked later */
	if (KF(f)->f_inode->i_nlink == 0 && !is_tmpfile(f))
		return 0;
	s = begin(now, TM_OP_WRITE, 0);
	if (!s)
		return 0;
	s->hdr.file_key = (__u64)f;
	if (fc->lost) {
		s->hdr.type = TM_OP_LOST;
		s->hdr.length = fc->lost;
		/* not counted as a drop when it fails: it is retried with the next write */
		if (bpf_ringbuf_output(&rb, &s->hdr, HDR_SIZE, wake_flags(pending_before(), HDR_SIZE)) == 0)
			fc->lost = 0;
		s->hdr.type = TM_OP_WRITE;
		s->hdr.length = 0;
	}
	c = &s->c;
	c->flags = 0;
	c->dropped = 0;
	c->unreadable = 0;
	c->iov_idx = 0;
	if (KF(f)->f_flags & O_APPEND || (nr == NR_pwritev2 && (a->args[5] & RWF_APPEND)))
		c->flags = TM_FLAG_APPEND;
	if ((nr == NR_pwrite64 || nr == NR_pwritev || nr == NR_pwritev2) && (long)a->args[3] != -1) {
		/* O_APPEND makes pwrite append whatever pos says */
		if (c->flags & TM_FLAG_APPEND)
			c->offset = KF(f)->f_inode->i_size - ret;
		else
			c->offset = a->args[3];
	} else {
		c->offset = KF(f)->f_pos - ret;
		/*
		 * A file description shared with another writer (make -j > log) may have moved on before we
		 * read f_pos: then the offset is a guess, and the versions built from it are approximate.
		 */
		if (!(c->flags & TM_FLAG_APPEND) && (nr == NR_write || nr == NR_writev) && c->offset != a->aux)
			c->flags |= TM_FLAG_APPROXIMATE;
	}
	c->left = ret;
	chunk = cfg->chunk_bytes && cfg->chunk_bytes < MAX_CHUNK ? cfg->chunk_bytes : MAX_CHUNK;
	c->chunk = chunk;
	if (nr == NR_write || nr == NR_pwrite64) {
		c->src = a->args[1];
		c->iov_left = ret;
		c->iovp = 0;
		c->iovcnt = 0;
		steps = (__u64)ret / chunk + 2;
	} else {
		c->src = 0;
		c->iov_left = 0;
		c->iovp = a->args[1];
		c->iovcnt = a->args[2];
		steps = (__u64)ret / chunk + 2 * (__u32)a->args[2] + 2;
	}
	bpf_loop(steps > (1 << 20) ? (1 << 20) : steps, write_step, &s, 0);
	if (c->dropped)
		fc->lost += c->dropped;
	if (c->unreadable || c->left) {
		/* bytes we could not copy: the file must be re-read from here */
		emit_file_event(now, TFM(TM_OP_REREAD, TM_FLAG_APPROXIMATE, TM_WHY_UNREADABLE), f, c->offset, c->left);
	}
	return 0;
}

__noinline int emit_open(__u64 now, struct inflight *a, long fd)
{
	struct file *f = fd_file(fd);
	__u64 flags, dfd = AT_FDCWD, name;
	__u32 imode;
	struct scratch *s;
	if (!a)
		return 0;

	if (!f)
		return 0;
	switch (a->nr) {
	case NR_open: name = a->args[0]; flags = a->args[1]; break;
	case NR_creat: name = a->args[0]; flags = O_CREAT | O_TRUNC | 1; break;
	case NR_openat: dfd = a->args[0]; name = a->args[1]; flags = a->args[2]; break;
	default: /* openat2: struct open_how starts with __u64 flags */
		dfd = a->args[0];
		name = a->args[1];
		flags = 0;
		bpf_probe_read_user(&flags, sizeof(flags), (void *)a->args[2]);
		break;
	}
	imode = KF(f)->f_inode->i_mode;
	if ((imode & S_IFMT) != S_IFREG)
		return 0;
	if (KF(f)->f_mode & FMODE_WRITE)
		known_file(f, now, 1);
	if (!(flags & (O_CREAT | O_TRUNC)))
		return 0;
	s = begin(now, TM_OP_CREATE, 0);
	if (!s)
		return 0;
	s->hdr.mode = imode & 07777;
	/* its size once open: 0 says its bytes are known (none), new or not */
	s->hdr.length = KF(f)->f_inode->i_size;
	s->hdr.len1 = put_walk(s, 0, file_walk(s, f));
	emit(s);
	if (flags & O_TRUNC) {
		s->hdr.type = TM_OP_TRUNCATE;
		s->hdr.mode = 0;
		s->hdr.length = 0;
		emit(s);
	}
	return 0;
}

/*
 * copy_file_range, sendfile, splice into a regular file: no user buffer, but the arguments and the return
 * value give the exact ranges. From a regular file it is a COPY (destination in path, source in path2, the
 * source offset in file_key), which the recorder rebuilds from the source's bytes at that instant; from
 * anything else (a pipe) the destination must be re-read, approximate.
 */
struct copy_args {
	struct file *out;
	struct file *in;
	__u64 off;
	__u64 in_off;
	__u64 len;
};

/* A COPY record: c->len bytes of c->in at c->in_off are now c->out's at c->off. */
static __noinline int emit_copy_record(__u64 now, struct copy_args *c)
{
	struct scratch *s;
	__u32 len1;

	/* the decoder holds what is written to an unnamed file, not what it is copied from */
	if (is_tmpfile(c->out))
		return emit_file_event(now, TFM(TM_OP_REREAD, TM_FLAG_APPROXIMATE, TM_WHY_TMPFILE), c->out, c->off, c->len);
	s = begin(now, TM_OP_COPY, 0);
	if (!s)
		return 0;
	s->hdr.file_key = c->in_off;
	s->hdr.offset = c->off;
	s->hdr.length = c->len;
	len1 = put_walk(s, 0, file_walk(s, c->out));
	s->hdr.len1 = len1;
	s->hdr.len2 = put_walk(s, len1, file_walk(s, c->in)) - len1;
	return emit(s);
}

static __always_inline int is_regular(struct file *f)
{
	return f && (KF(f)->f_inode->i_mode & S_IFMT) == S_IFREG;
}

__noinline int emit_copy(__u64 now, struct inflight *a, long ret)
{
	long nr;
	int fd, in_fd;
	__u64 offp = 0, in_offp;
	struct copy_args c = { .len = ret };
	struct file *out, *in;

	if (!a)
		return 0;
	nr = a->nr;
	if (nr == NR_sendfile) {
		/* (out_fd, in_fd, *offset of in_fd, count) */
		fd = a->args[0];
		in_fd = a->args[1];
		in_offp = a->args[2];
	} else {
		/* (fd_in, off_in, fd_out, off_out, len, flags) */
		in_fd = a->args[0];
		in_offp = a->args[1];
		fd = a->args[2];
		offp = a->args[3];
	}
	out = fd_file(fd);
	if (!out || ret == 0)
		return 0;
	/* the kernel has moved the offset (or the file position) past what it copied */
	if (offp) {
		bpf_probe_read_user(&c.off, sizeof(c.off), (void *)offp);
		c.off -= ret;
	} else {
		c.off = KF(out)->f_pos - ret;
	}
	in = fd_file(in_fd);
	if (!is_regular(in) || !is_regular(out))
		return emit_fd_event(now, TFM(TM_OP_REREAD, TM_FLAG_APPROXIMATE, TM_WHY_PIPE), fd, c.off, ret);
	if (in_offp) {
		bpf_probe_read_user(&c.in_off, sizeof(c.in_off), (void *)in_offp);
		c.in_off -= ret;
	} else {
		c.in_off = KF(in)->f_pos - ret;
	}
	/* copy_args is this program's own type: CO-RE reads go through plain pointers to kernel types */
	c.out = out;
	c.in = in;
	return emit_copy_record(now, &c);
}

#define FICLONE 0x40049409
#define FICLONERANGE 0x4020940d

/* struct file_clone_range of linux/fs.h */
struct tm_clone_range {
	__s64 src_fd;
	__u64 src_offset;
	__u64 src_length;
	__u64 dest_offset;
};

/*
 * ioctl(FICLONE / FICLONERANGE), a reflink (cp --reflink on XFS or Btrfs): the destination's range now
 * shares the source's blocks, so it reads as the source's bytes, a COPY. A length of 0 runs to the source's end.
 */
__noinline int emit_clone(__u64 now, struct inflight *a)
{
	struct tm_clone_range r = {};
	struct copy_args c = {};
	struct file *out, *in;
	__u64 size;
	if (!a)
		return 0;

	if (a->args[1] == FICLONE) {
		r.src_fd = a->args[2];
	} else if (bpf_probe_read_user(&r, sizeof(r), (void *)a->args[2])) {
		return 0;
	}
	out = fd_file(a->args[0]);
	in = fd_file(r.src_fd);
	if (!is_regular(out) || !is_regular(in))
		return 0;
	c.out = out;
	c.in = in;
	size = KF(in)->f_inode->i_size;
	c.in_off = r.src_offset;
	c.off = r.dest_offset;
	c.len = r.src_length ? r.src_length : (size > r.src_offset ? size - r.src_offset : 0);
	if (c.len == 0)
		return 0;
	return emit_copy_record(now, &c);
}

/* struct iocb of linux/aio_abi.h from aio_lio_opcode on */
struct tm_iocb {
	__u16 opcode;
	__s16 reqprio;
	__u32 fildes;
	__u64 buf;
	__u64 nbytes;
	__s64 offset;
};
#define IOCB_CMD_PWRITE 1
#define IOCB_CMD_PWRITEV 8
#define IOCB_OPCODE_OFFSET 16
#define AIO_MAX_IOVECS 16

struct aio_ctx {
	__u64 now;
	__u64 iocbpp;
};

/*
 * One iocb of an io_submit: a write is captured as the pwrite or pwritev it asks for, from its buffer at
 * submission (which the caller must leave alone until the write completes); its result comes later, and
 * a write the kernel then fails or shortens is not seen.
 */
static long aio_step(__u32 i, void *vctx)
{
	struct aio_ctx *ctx = vctx;
	struct inflight w = {};
	struct tm_iocb cb;
	__u64 iocb = 0, total = 0;
	struct iovec iov;
	int k;

	if (bpf_probe_read_user(&iocb, sizeof(iocb), (void *)(ctx->iocbpp + (__u64)i * 8)) || !iocb)
		return 1;
	if (bpf_probe_read_user(&cb, sizeof(cb), (void *)(iocb + IOCB_OPCODE_OFFSET)))
		return 1;
	if (cb.opcode == IOCB_CMD_PWRITE) {
		w.nr = NR_pwrite64;
		total = cb.nbytes;
	} else if (cb.opcode == IOCB_CMD_PWRITEV) {
		if (cb.nbytes > AIO_MAX_IOVECS)
			return emit_fd_event(ctx->now, TFM(TM_OP_REREAD, TM_FLAG_APPROXIMATE, TM_WHY_UNREADABLE), cb.fildes,
					     cb.offset, 0), 0;
		for (k = 0; k < AIO_MAX_IOVECS && k < cb.nbytes; k++) {
			if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(cb.buf + k * sizeof(iov))))
				return 0;
			total += iov.iov_len;
		}
		w.nr = NR_pwritev;
	} else {
		return 0;
	}
	w.args[0] = cb.fildes;
	w.args[1] = cb.buf;
	w.args[2] = cb.nbytes;
	w.args[3] = cb.offset;
	if (total > 0)
		emit_write(ctx->now, (__u64)fd_file(cb.fildes), &w, total);
	return 0;
}

__noinline int emit_aio(__u64 now, struct inflight *a, long ret)
{
	struct aio_ctx ctx = { .now = now };

	if (!a)
		return 0;
	ctx.iocbpp = a->args[2];
	/* (ctx_id, nr, iocbpp): ret is how many of them were submitted */
	bpf_loop(ret > 4096 ? 4096 : ret, aio_step, &ctx, 0);
	return 0;
}

__noinline int emit_mapped(__u64 now, struct inflight *a)
{
	struct file *f;
	struct scratch *s;

	if (!a)
		return 0;
	f = (void *)a->aux;
	s = begin(now, TM_OP_REREAD, TM_FLAG_APPROXIMATE | (a->nr < 0 ? TM_FLAG_MAPPED : 0) |
		  (a->nr == NR_munmap ? TM_FLAG_UNMAPPED : 0));
	if (!s || !f)
		return 0;
	if (is_tmpfile(f)) {
		s->hdr.flags |= TM_FLAG_TMPFILE;
		s->hdr.file_key = (__u64)f;
	}
	s->hdr.mode = TM_WHY_MAPPED;
	s->hdr.offset = a->aux2;
	s->hdr.length = a->args[1];
	s->hdr.len1 = put_walk(s, 0, file_walk(s, f));
	return emit(s);
}

__noinline int forget_file(__u64 now, __u64 key)
{
	struct fcache *fc = bpf_map_lookup_elem(&files, &key);
	struct scratch *s;
	__u32 lost;

	if (!fc)
		return 0;
	lost = fc->lost;
	bpf_map_delete_elem(&files, &key);
	s = begin(now, TM_REC_CLOSE, 0);
	if (!s)
		return 0;
	s->hdr.file_key = key;
	if (lost) {
		/* no later write will carry this file's loss: report it before the key is forgotten */
		s->hdr.type = TM_OP_LOST;
		s->hdr.length = lost;
		emit(s);
		s->hdr.type = TM_REC_CLOSE;
		s->hdr.length = 0;
	}
	return emit(s);
}

static __always_inline __u32 umasked(__u32 mode)
{
	return mode & ~CURRENT->fs->umask & 07777;
}

static __always_inline void bump_rename_gen(void)
{
	__u64 *g = bpf_map_lookup_elem(&rename_gen, &ZERO);
	if (g)
		__sync_fetch_and_add(g, 1);
}

struct vma_ctx {
	__u64 addr;
	__u64 file;
	__u64 offset;
};

static long vma_found(struct task_struct *task, struct vm_area_struct *vma, void *vctx)
{
	struct vma_ctx *c = vctx;
	unsigned long flags = BPF_CORE_READ(vma, vm_flags);

	if ((flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE))
		return 0;
	c->file = (__u64)BPF_CORE_READ(vma, vm_file);
	c->offset = BPF_CORE_READ(vma, vm_pgoff) * 4096 + (c->addr - BPF_CORE_READ(vma, vm_start));
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tm_sys_enter, struct pt_regs *regs, long id)
{
	__u32 tgid;
	struct inflight *a;
	struct task_struct *task;

	if (!interesting(id))
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	task = bpf_get_current_task_btf();
	a = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!a)
		return 0;
	a->nr = id;
	a->args[0] = regs->di;
	a->args[1] = regs->si;
	a->args[2] = regs->dx;
	a->args[3] = regs->r10;
	a->args[4] = regs->r8;
	a->args[5] = regs->r9;
	a->aux = 0;
	a->aux2 = 0;
	if (id == NR_close) {
		/* the descriptor is gone at sys_exit */
		a->aux = (__u64)fd_file(a->args[0]);
	} else if (id == NR_write || id == NR_writev) {
		/* the position before: at sys_exit it tells whether another writer moved a shared f_pos */
		struct file *f = fd_file(a->args[0]);

		a->aux = f ? KF(f)->f_pos : 0;
	} else if (id == NR_munmap || id == NR_msync) {
		/* the mapping may be gone at sys_exit; its file stays alive until the return to user */
		struct vma_ctx c = { .addr = a->args[0] };

		bpf_find_vma(task, a->args[0], vma_found, &c, 0);
		if (!c.file)
			a->nr = -1;
		a->aux = c.file;
		a->aux2 = c.offset;
	}
	return 0;
}

/*
 * linkat(fd, "", dfd, name, AT_EMPTY_PATH) or linkat(AT_FDCWD, "/proc/self/fd/N", dfd, name, AT_SYMLINK_FOLLOW)
 * of a file opened O_TMPFILE gives it its first name: a LINK naming the file by file_key, with its mode.
 * 0 when this is another link.
 */
__noinline int emit_tmpfile_link(__u64 now, struct inflight *a)
{
	struct file *f = NULL;
	struct scratch *s;
	long fd = -1;
	char c = 1;
	if (!a)
		return 0;

	if (a->args[4] & AT_EMPTY_PATH) {
		bpf_probe_read_user(&c, 1, (void *)a->args[1]);
		if (c == 0)
			fd = a->args[0];
	}
	if (fd < 0 && (a->args[4] & AT_SYMLINK_FOLLOW))
		fd = proc_self_fd(a->args[1]);
	if (fd >= 0)
		f = fd_file(fd);
	if (!f || !is_tmpfile(f))
		return 0;
	s = begin(now, TM_OP_LINK, TM_FLAG_TMPFILE);
	if (!s)
		return 1;
	s->hdr.file_key = (__u64)f;
	s->hdr.mode = KF(f)->f_inode->i_mode & 07777;
	s->hdr.len1 = put_at_path(s, 0, a->args[2], a->args[3], 0);
	if (s->hdr.len1)
		emit(s);
	return 1;
}

#define NAME_EVENT(t, fl, md, len, d1, n1, d2, n2, raw) ({ \
	struct name_event e = { .now = now, .type = (t), .flags = (fl), .mode = (md), .length = (len), \
				.dfd1 = (d1), .name1 = (n1), .dfd2 = (d2), .name2 = (n2), .raw2 = (raw) }; \
	emit_name_event(&e); })

#define ACL_XATTR "system.posix_acl_access"
#define ACL_USER_OBJ 0x01
#define ACL_GROUP_OBJ 0x04
#define ACL_MASK 0x10
#define ACL_OTHER 0x20
#define ACL_MAX_ENTRIES 64

struct acl_ctx {
	__u64 value;
	__u64 size;
	__u32 user, group, mask, other;
	int has_mask;
};

static long acl_step(__u32 i, void *vctx)
{
	struct acl_ctx *c = vctx;
	struct { __u16 tag; __u16 perm; __u32 id; } e;

	/* after the 4-byte version header, 8-byte entries */
	if (4 + 8 * (__u64)(i + 1) > c->size || bpf_probe_read_user(&e, sizeof(e), (void *)(c->value + 4 + 8 * i)))
		return 1;
	switch (e.tag) {
	case ACL_USER_OBJ: c->user = e.perm & 7; break;
	case ACL_GROUP_OBJ: c->group = e.perm & 7; break;
	case ACL_MASK: c->mask = e.perm & 7; c->has_mask = 1; break;
	case ACL_OTHER: c->other = e.perm & 7; break;
	}
	return 0;
}

/*
 * Setting a file's access ACL sets its permission bits (owner, mask or group, other): coreutils' mv and cp -p,
 * tar --acls and rsync -A set modes so. fsetxattr: a CHMOD with the inode's mode after it; setxattr and
 * lsetxattr: a CHMOD of the name with the bits the ACL gives (setuid, setgid and sticky are not in it).
 */
__noinline int emit_acl_mode(__u64 now, struct inflight *a)
{
	char name[sizeof(ACL_XATTR)] = {};
	struct acl_ctx c = {};
	const char *want = ACL_XATTR;

	if (!a)
		return 0;
	c.value = a->args[2];
	c.size = a->args[3];
	if (bpf_probe_read_user_str(name, sizeof(name), (void *)a->args[1]) != sizeof(ACL_XATTR))
		return 0;
	for (int i = 0; i < sizeof(ACL_XATTR) - 1; i++)
		if (name[i] != want[i])
			return 0;
	if (a->nr == NR_fsetxattr) {
		struct file *f = fd_file(a->args[0]);

		return f ? emit_fchmod(now, a->args[0], KF(f)->f_inode->i_mode) : 0;
	}
	bpf_loop(ACL_MAX_ENTRIES, acl_step, &c, 0);
	return NAME_EVENT(TM_OP_CHMOD, 0, (c.user << 6) | ((c.has_mask ? c.mask : c.group) << 3) | c.other, 0,
			  AT_FDCWD, a->args[0], 0, 0, 0);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tm_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct inflight *p;
	struct inflight a;
	__u64 now;

	/*
	 * Every syscall of every process on the machine comes here: leave the others before the task-storage
	 * lookup (sys_enter saved nothing for them). A tracer that changes the number in between leaves at most
	 * a stale entry that no exit reads: sys_enter overwrites it before the next syscall of interest.
	 */
	if (!interesting(regs->orig_ax))
		return 0;
	task = bpf_get_current_task_btf();
	p = bpf_task_storage_get(&inflight, task, 0, 0);
	if (!p || p->nr < 0)
		return 0;
	a = *p;
	p->nr = -1;
	now = bpf_ktime_get_ns();
	if (a.nr == NR_close) {
		if (a.aux && ret != -9 /* EBADF */)
			forget_file(now, a.aux);
		return 0;
	}
	if (ret < 0)
		return 0;
	switch (a.nr) {
	case NR_write: case NR_pwrite64: case NR_writev: case NR_pwritev: case NR_pwritev2:
		if (ret > 0)
			emit_write(now, (__u64)fd_file(a.args[0]), &a, ret);
		break;
	case NR_open: case NR_openat: case NR_openat2: case NR_creat:
		emit_open(now, &a, ret);
		break;
	case NR_truncate:
		NAME_EVENT(TM_OP_TRUNCATE, 0, 0, a.args[1], AT_FDCWD, a.args[0], 0, 0, 0);
		break;
	case NR_ftruncate:
		emit_fd_event(now, TF(TM_OP_TRUNCATE, 0), a.args[0], 0, a.args[1]);
		break;
	case NR_fallocate:
		/* every mode but a plain KEEP_SIZE changes the size or the bytes, deterministically: the
		 * mode travels in hdr.mode and the recorder applies it (VersionWriter) */
		if (a.args[1] != FALLOC_FL_KEEP_SIZE)
			emit_fd_event(now, TFM(TM_OP_FALLOCATE, 0, a.args[1]), a.args[0], a.args[2], a.args[3]);
		break;
	case NR_rename:
		bump_rename_gen();
		NAME_EVENT(TM_OP_RENAME, 0, 0, 0, AT_FDCWD, a.args[0], AT_FDCWD, a.args[1], 0);
		break;
	case NR_renameat:
		bump_rename_gen();
		NAME_EVENT(TM_OP_RENAME, 0, 0, 0, a.args[0], a.args[1], a.args[2], a.args[3], 0);
		break;
	case NR_renameat2:
		bump_rename_gen();
		NAME_EVENT(a.args[4] & RENAME_EXCHANGE ? TM_OP_EXCHANGE : TM_OP_RENAME, a.args[4] & RENAME_NOREPLACE ? TM_FLAG_NOREPLACE : 0, 0, 0, a.args[0], a.args[1], a.args[2], a.args[3], 0);
		break;
	case NR_unlink:
		NAME_EVENT(TM_OP_UNLINK, 0, 0, 0, AT_FDCWD, a.args[0], 0, 0, 0);
		break;
	case NR_unlinkat:
		if (a.args[2] & AT_REMOVEDIR)
			NAME_EVENT(TM_OP_RMDIR, TM_FLAG_DIRECTORY, 0, 0, a.args[0], a.args[1], 0, 0, 0);
		else
			NAME_EVENT(TM_OP_UNLINK, 0, 0, 0, a.args[0], a.args[1], 0, 0, 0);
		break;
	case NR_rmdir:
		NAME_EVENT(TM_OP_RMDIR, TM_FLAG_DIRECTORY, 0, 0, AT_FDCWD, a.args[0], 0, 0, 0);
		break;
	case NR_mkdir:
		NAME_EVENT(TM_OP_MKDIR, TM_FLAG_DIRECTORY, umasked(a.args[1]), 0, AT_FDCWD, a.args[0], 0, 0, 0);
		break;
	case NR_mkdirat:
		NAME_EVENT(TM_OP_MKDIR, TM_FLAG_DIRECTORY, umasked(a.args[2]), 0, a.args[0], a.args[1], 0, 0, 0);
		break;
	case NR_chmod:
		if (proc_self_fd(a.args[0]) >= 0)
			emit_fchmod(now, proc_self_fd(a.args[0]), a.args[1]);
		else
			NAME_EVENT(TM_OP_CHMOD, 0, a.args[1] & 07777, 0, AT_FDCWD, a.args[0], 0, 0, 0);
		break;
	case NR_fchmod:
		emit_fchmod(now, a.args[0], a.args[1]);
		break;
	case NR_fchmodat: case NR_fchmodat2:
		if (proc_self_fd(a.args[1]) >= 0)
			emit_fchmod(now, proc_self_fd(a.args[1]), a.args[2]);
		else
			NAME_EVENT(TM_OP_CHMOD, 0, a.args[2] & 07777, 0, a.args[0], a.args[1], 0, 0, 0);
		break;
	case NR_symlink:
		NAME_EVENT(TM_OP_SYMLINK, 0, 0, 0, AT_FDCWD, a.args[1], 0, a.args[0], 1);
		break;
	case NR_symlinkat:
		NAME_EVENT(TM_OP_SYMLINK, 0, 0, 0, a.args[1], a.args[2], 0, a.args[0], 1);
		break;
	case NR_link:
		NAME_EVENT(TM_OP_LINK, 0, 0, 0, AT_FDCWD, a.args[0], AT_FDCWD, a.args[1], 0);
		break;
	case NR_linkat:
		if (!emit_tmpfile_link(now, &a))
			NAME_EVENT(TM_OP_LINK, 0, 0, 0, a.args[0], a.args[1], a.args[2], a.args[3], 0);
		break;
	case NR_mmap: {
		struct file *f;

		if (!(a.args[2] & PROT_WRITE) || !(a.args[3] & MAP_SHARED) || (int)a.args[4] < 0)
			break;
		f = fd_file(a.args[4]);
		if (!f)
			break;
		a.aux = (__u64)f;
		a.aux2 = a.args[5];
		a.nr = -1; /* tells emit_mapped this is a new mapping */
		if (emit_mapped(now, &a) == 0) {
			__u32 tgid = bpf_get_current_pid_tgid() >> 32;
			__u8 one = 1;

			bpf_map_update_elem(&mappers, &tgid, &one, BPF_ANY);
		}
		break;
	}
	case NR_msync: case NR_munmap:
		emit_mapped(now, &a);
		break;
	case NR_copy_file_range: case NR_sendfile: case NR_splice:
		emit_copy(now, &a, ret);
		break;
	case NR_io_submit:
		if (ret > 0)
			emit_aio(now, &a, ret);
		break;
	case NR_ioctl:
		if (a.args[1] == FICLONE || a.args[1] == FICLONERANGE)
			emit_clone(now, &a);
		break;
	case NR_setxattr: case NR_lsetxattr: case NR_fsetxattr:
		emit_acl_mode(now, &a);
		break;
	case NR_mknod: case NR_mknodat: {
		/* (path, mode, dev) or (dfd, path, mode, dev): a regular file is a create, anything else special */
		long dfd = a.nr == NR_mknod ? AT_FDCWD : (long)a.args[0];
		__u64 name = a.nr == NR_mknod ? a.args[0] : a.args[1];
		__u32 mode = a.nr == NR_mknod ? a.args[1] : a.args[2];

		if ((mode & S_IFMT) == 0 || (mode & S_IFMT) == S_IFREG)
			NAME_EVENT(TM_OP_CREATE, 0, umasked(mode), 0, dfd, name, 0, 0, 0);
		else
			NAME_EVENT(TM_OP_SPECIAL, 0, (mode & S_IFMT) | umasked(mode), 0, dfd, name, 0, 0, 0);
		break;
	}
	}
	return 0;
}

/*
 * io_uring requests bypass the syscalls (the ring is shared memory). Two optional programs ("tm_opt_": a kernel
 * without io_uring has no such tracepoints, and the capture loads without them) follow them for tracked
 * processes: at submission, a request that changes names (open with O_CREAT or O_TRUNC, rename, unlink, mkdir,
 * symlink, link) is recorded from the names it was prepared with, flagged TM_FLAG_URING and keyed by the request;
 * at completion a TM_REC_URING_DONE with its result tells the decoder whether it happened, and when. A write
 * (WRITE, WRITEV and their FIXED forms) is copied at completion from the user's buffer, exact, as a pwrite; one
 * that cannot be read, and the other writers (FALLOCATE, SPLICE, FTRUNCATE), re-read their file, approximate.
 */
static __always_inline void *uring_cmd(struct io_kiocb *r)
{
	return (void *)r + bpf_core_field_offset(struct io_kiocb, cmd);
}

/* a CREATE's size once open is not known at submission: -1 */
#define URING_NAMES(t, fl, md, d1, n1, d2, n2, raw) ({ \
	struct name_event e = { .now = bpf_ktime_get_ns(), .type = (t), .flags = (fl) | TM_FLAG_URING, .mode = (md), \
				.length = (t) == TM_OP_CREATE ? -1 : 0, \
				.dfd1 = (d1), .name1 = (n1), .dfd2 = (d2), .name2 = (n2), .raw2 = (raw), .kernel = 1, \
				.key = (__u64)r }; \
	emit_name_event(&e); })

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(tm_opt_uring_submit, struct io_kiocb *r)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	void *cmd = uring_cmd(r);

	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	switch (BPF_CORE_READ(r, opcode)) {
	case IORING_OP_OPENAT: case IORING_OP_OPENAT2: {
		struct io_open *o = cmd;
		__u64 flags = BPF_CORE_READ(o, how.flags);
		__u64 name = (__u64)BPF_CORE_READ(o, filename, name);

		if ((flags & __O_TMPFILE) || !(flags & (O_CREAT | O_TRUNC)))
			break;
		if (flags & O_CREAT)
			URING_NAMES(TM_OP_CREATE, 0, umasked(BPF_CORE_READ(o, how.mode)), BPF_CORE_READ(o, dfd), name, 0, 0, 0);
		if (flags & O_TRUNC)
			URING_NAMES(TM_OP_TRUNCATE, 0, 0, BPF_CORE_READ(o, dfd), name, 0, 0, 0);
		break;
	}
	case IORING_OP_RENAMEAT: {
		struct io_rename *n = cmd;
		int flags = BPF_CORE_READ(n, flags);

		URING_NAMES(flags & RENAME_EXCHANGE ? TM_OP_EXCHANGE : TM_OP_RENAME,
			    flags & RENAME_NOREPLACE ? TM_FLAG_NOREPLACE : 0, 0, BPF_CORE_READ(n, old_dfd),
			    (__u64)BPF_CORE_READ(n, oldpath, name), BPF_CORE_READ(n, new_dfd),
			    (__u64)BPF_CORE_READ(n, newpath, name), 0);
		break;
	}
	case IORING_OP_UNLINKAT: {
		struct io_unlink *u = cmd;
		__u64 name = (__u64)BPF_CORE_READ(u, filename, name);

		if (BPF_CORE_READ(u, flags) & AT_REMOVEDIR)
			URING_NAMES(TM_OP_RMDIR, TM_FLAG_DIRECTORY, 0, BPF_CORE_READ(u, dfd), name, 0, 0, 0);
		else
			URING_NAMES(TM_OP_UNLINK, 0, 0, BPF_CORE_READ(u, dfd), name, 0, 0, 0);
		break;
	}
	case IORING_OP_MKDIRAT: {
		struct io_mkdir *m = cmd;

		URING_NAMES(TM_OP_MKDIR, TM_FLAG_DIRECTORY, umasked(BPF_CORE_READ(m, mode)), BPF_CORE_READ(m, dfd),
			    (__u64)BPF_CORE_READ(m, filename, name), 0, 0, 0);
		break;
	}
	case IORING_OP_SYMLINKAT: {
		/* oldpath is the target, kept as written; newpath (at new_dfd) the link */
		struct io_link *l = cmd;

		URING_NAMES(TM_OP_SYMLINK, 0, 0, BPF_CORE_READ(l, new_dfd), (__u64)BPF_CORE_READ(l, newpath, name), 0,
			    (__u64)BPF_CORE_READ(l, oldpath, name), 1);
		break;
	}
	case IORING_OP_LINKAT: {
		struct io_link *l = cmd;

		URING_NAMES(TM_OP_LINK, 0, 0, BPF_CORE_READ(l, old_dfd), (__u64)BPF_CORE_READ(l, oldpath, name),
			    BPF_CORE_READ(l, new_dfd), (__u64)BPF_CORE_READ(l, newpath, name), 0);
		break;
	}
	}
	return 0;
}

/* A completed io_uring write: its bytes from the user's buffer, at the offset the kiocb has moved past. */
static __noinline int emit_uring_write(__u64 now, struct io_kiocb *r, struct file *f, long res, int vectored)
{
	struct io_rw *rw = uring_cmd(r);
	struct inflight w = {};

	w.nr = vectored ? NR_pwritev : NR_pwrite64;
	w.args[1] = BPF_CORE_READ(rw, addr);
	w.args[2] = BPF_CORE_READ(rw, len);
	w.args[3] = BPF_CORE_READ(rw, kiocb.ki_pos) - res;
	return emit_write(now, (__u64)f, &w, res);
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(tm_opt_uring_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	struct io_kiocb *r = req;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 now = bpf_ktime_get_ns();
	long res = BPF_CORE_READ(cqe, res);
	struct scratch *s;
	struct file *f;
	__u8 op;

	if (!r || !bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	op = BPF_CORE_READ(r, opcode);
	switch (op) {
	case IORING_OP_OPENAT: case IORING_OP_OPENAT2: case IORING_OP_RENAMEAT: case IORING_OP_UNLINKAT:
	case IORING_OP_MKDIRAT: case IORING_OP_SYMLINKAT: case IORING_OP_LINKAT:
		if (op == IORING_OP_RENAMEAT && res >= 0)
			bump_rename_gen();
		s = begin(now, TM_REC_URING_DONE, 0);
		if (!s)
			return 0;
		s->hdr.file_key = (__u64)r;
		s->hdr.length = res;
		return emit(s);
	case IORING_OP_WRITE: case IORING_OP_WRITE_FIXED: case IORING_OP_WRITEV: case IORING_OP_WRITEV_FIXED:
	case IORING_OP_FALLOCATE: case IORING_OP_SPLICE: case IORING_OP_FTRUNCATE:
		break;
	default:
		return 0;
	}
	f = BPF_CORE_READ(r, file);
	if (res <= 0 || !is_regular(f))
		return 0;
	if (op == IORING_OP_WRITE || op == IORING_OP_WRITE_FIXED)
		return emit_uring_write(now, r, f, res, 0);
	if (op == IORING_OP_WRITEV || op == IORING_OP_WRITEV_FIXED)
		return emit_uring_write(now, r, f, res, 1);
	return emit_file_event(now, TFM(TM_OP_REREAD, TM_FLAG_APPROXIMATE, TM_WHY_IO_URING), f, 0, 0);
}

#define ARGV_MAX 256

/* Which command each tracked process runs, for "who wrote it": its executable, argv and parent, at exec. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tm_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	__u64 start, end, n;
	struct scratch *s;
	long len;

	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	/*
	 * A 32-bit program's syscalls have other numbers, which this program does not decode: its exec says so
	 * (set_personality_ia32 has set TS_COMPAT by now), and the recording reports it.
	 */
	s = begin(bpf_ktime_get_ns(), TM_OP_EXEC, BPF_CORE_READ(p, thread_info.status) & TS_COMPAT ? TM_FLAG_APPROXIMATE : 0);
	if (!s)
		return 0;
	s->hdr.mode = BPF_CORE_READ(p, real_parent, tgid);
	len = bpf_probe_read_kernel_str(s->data, PATH_LEN, BPF_CORE_READ(bprm, filename));
	s->hdr.len1 = len > 1 ? (len - 1) & PATH_MASK : 0;
	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	n = end > start ? end - start : 0;
	if (n > ARGV_MAX)
		n = ARGV_MAX;
	if (n && bpf_probe_read_user(&s->data[s->hdr.len1 & PATH_MASK], n, (void *)start) == 0)
		s->hdr.len2 = n;
	return emit(s);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tm_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct scratch *s;
	__u8 one = 1;

	/* the child is added before it can run, so its first syscall is already seen */
	if (ctgid == ptgid || !bpf_map_lookup_elem(&tracked, &ptgid))
		return 0;
	bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY);
	/* the child shares the parent's shared mappings: its exit ends them too */
	if (bpf_map_lookup_elem(&mappers, &ptgid))
		bpf_map_update_elem(&mappers, &ctgid, &one, BPF_ANY);
	/* a FORK names the parent, whose command a child that never execs runs on */
	s = begin(bpf_ktime_get_ns(), TM_OP_FORK, 0);
	if (!s)
		return 0;
	s->hdr.pid = ctgid;
	s->hdr.tid = ctgid;
	s->hdr.mode = ptgid;
	return emit(s);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tm_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);

	struct scratch *s;

	/* only the last thread out removes the process: a leader may exit before its threads */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&tracked, &tgid);
	/*
	 * Its mappings are gone (exit_mm ran), so what it wrote through them is final: user space, which
	 * remembers which files it mapped, re-reads them. Covers processes that never call munmap.
	 */
	if (bpf_map_delete_elem(&mappers, &tgid) == 0) {
		s = begin(bpf_ktime_get_ns(), TM_REC_EXIT_MAPPED, 0);
		if (s) {
			s->hdr.pid = tgid;
			emit(s);
		}
	}
	return 0;
}
