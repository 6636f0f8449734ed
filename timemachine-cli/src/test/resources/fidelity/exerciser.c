/*
 * Random file operations for the fidelity tests: usage: exerciser ROOT SNAPSHOTS SEED BATCHES OPS.
 *
 * Works on a few files under ROOT with write, pwrite, ftruncate, every fallocate mode, copy_file_range within
 * and across files, sendfile, a reflink (where the file system has them), rename and unlink. After each batch of
 * OPS operations it reads CLOCK_MONOTONIC and prints "batch N T_NS", then copies every file of ROOT into
 * SNAPSHOTS/N/ (outside ROOT: not recorded), so the tree at T_NS can be compared with the export at @T_NS.
 * Operations the kernel refuses (an unaligned collapse, a reflink on ext4) are simply skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILES 4
/* what ftruncate cuts a file to at most: growth by writes, copies and insert-range is bounded by that */
#define MAX_SIZE (256 * 1024)

static char root[4096], snaps[4096];
static unsigned long long state;

static unsigned long long rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static unsigned long long below(unsigned long long n)
{
	return n ? rnd() % n : 0;
}

static void name(char *out, int i)
{
	snprintf(out, 4096, "%s/f%d", root, i);
}

static int open_file(int i, int flags)
{
	char p[4096];

	name(p, i);
	return open(p, flags | O_CREAT, 0644);
}

static off_t size_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_size;
}

static void one_op(void)
{
	static char buf[65536];
	int a = below(FILES), b = below(FILES), fd = open_file(a, O_RDWR), fb;
	off_t size = size_of(fd), off = below(size + 4096), len = 1 + below(16384);
	unsigned long long k;
	char p[4096], q[4096];

	for (k = 0; k < (unsigned long long)len; k++)
		buf[k] = (char)rnd();
	switch (below(12)) {
	case 0: /* write at the file position */
		lseek(fd, off, SEEK_SET);
		if (write(fd, buf, len) < 0)
			perror("write");
		break;
	case 1:
		if (pwrite(fd, buf, len, off) < 0)
			perror("pwrite");
		break;
	case 2:
		if (ftruncate(fd, below(MAX_SIZE)) < 0)
			perror("ftruncate");
		break;
	case 3: /* allocate, or keep-size */
		fallocate(fd, below(2) ? FALLOC_FL_KEEP_SIZE : 0, off, len);
		break;
	case 4:
		fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
		break;
	case 5:
		fallocate(fd, FALLOC_FL_ZERO_RANGE | (below(2) ? FALLOC_FL_KEEP_SIZE : 0), off, len);
		break;
	case 6: /* block-aligned, or refused */
		fallocate(fd, below(2) ? FALLOC_FL_COLLAPSE_RANGE : FALLOC_FL_INSERT_RANGE, off & ~4095L, 4096 * (1 + below(4)));
		break;
	case 7: { /* within one file (non-overlapping, or refused) or across two */
		loff_t in = below(size + 1), out = below(size + 4096);

		fb = open_file(b, O_RDWR);
		copy_file_range(fb, &in, fd, &out, len, 0);
		close(fb);
		break;
	}
	case 8: {
		off_t in = below(size_of(fd) + 1);

		fb = open_file(b, O_RDWR);
		if (fb != fd) {
			lseek(fd, off, SEEK_SET);
			sendfile(fd, fb, &in, len);
		}
		close(fb);
		break;
	}
	case 9: { /* a reflink of one file into another (EOPNOTSUPP on ext4) */
		fb = open_file(b, O_RDONLY);
		if (a != b)
			ioctl(fd, FICLONE, fb);
		close(fb);
		break;
	}
	case 10:
		name(p, a);
		name(q, b);
		if (a != b)
			rename(p, q);
		break;
	case 11:
		if (below(4) == 0) {
			name(p, a);
			unlink(p);
		}
		break;
	}
	close(fd);
}

static void snapshot(int batch)
{
	static char buf[65536];
	char dir[4096], p[4096], q[4096];
	int i;

	snprintf(dir, sizeof(dir), "%s/%d", snaps, batch);
	mkdir(dir, 0755);
	for (i = 0; i < FILES; i++) {
		int in, out;
		ssize_t n;

		name(p, i);
		in = open(p, O_RDONLY);
		if (in < 0)
			continue;
		snprintf(q, sizeof(q), "%s/f%d", dir, i);
		out = open(q, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n)
				exit(3);
		close(in);
		close(out);
	}
}

int main(int argc, char **argv)
{
	int batches, ops, i, j;
	struct timespec ts;

	if (argc != 6) {
		fprintf(stderr, "usage: exerciser ROOT SNAPSHOTS SEED BATCHES OPS\n");
		return 2;
	}
	snprintf(root, sizeof(root), "%s", argv[1]);
	snprintf(snaps, sizeof(snaps), "%s", argv[2]);
	state = strtoull(argv[3], NULL, 10) * 2654435761ULL + 1;
	batches = atoi(argv[4]);
	ops = atoi(argv[5]);
	for (i = 0; i <= batches; i++) {
		for (j = 0; i > 0 && j < ops; j++)
			one_op();
		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("batch %d %lld\n", i, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		fflush(stdout);
		snapshot(i);
	}
	return 0;
}
