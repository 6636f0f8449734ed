/*
 * One file operation through io_uring (liburing), for the fidelity workload: the ring bypasses the syscalls the
 * capture follows, so each of these must reach the recording through its io_uring programs.
 *
 *   uring-ops create PATH MODE        IORING_OP_OPENAT, O_CREAT|O_WRONLY|O_TRUNC, then a WRITE of "created\n"
 *   uring-ops write PATH OFFSET TEXT  open(2), then IORING_OP_WRITE of TEXT at OFFSET
 *   uring-ops writev PATH OFFSET A B  open(2), then IORING_OP_WRITEV of A and B at OFFSET
 *   uring-ops rename FROM TO          IORING_OP_RENAMEAT
 *   uring-ops unlink PATH             IORING_OP_UNLINKAT
 *   uring-ops rmdir PATH              IORING_OP_UNLINKAT with AT_REMOVEDIR
 *   uring-ops mkdir PATH MODE         IORING_OP_MKDIRAT
 *   uring-ops symlink TARGET PATH     IORING_OP_SYMLINKAT
 *   uring-ops link FROM TO            IORING_OP_LINKAT
 *
 * Exits with the operation's errno if it fails (a failed rename must change nothing in the recording).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static struct io_uring ring;

static int run(void)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_submit(&ring) != 1 || io_uring_wait_cqe(&ring, &cqe) != 0) {
		fprintf(stderr, "uring-ops: submit failed\n");
		exit(100);
	}
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	if (res < 0) {
		fprintf(stderr, "uring-ops: %s\n", strerror(-res));
		exit(-res);
	}
	return res;
}

static int open_rw(const char *path)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0) {
		perror(path);
		exit(101);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct io_uring_sqe *sqe;
	const char *op = argc > 1 ? argv[1] : "";

	if (argc < 3 || io_uring_queue_init(4, &ring, 0) != 0) {
		fprintf(stderr, "usage: uring-ops OP ARGS... (see the source)\n");
		return 2;
	}
	sqe = io_uring_get_sqe(&ring);
	if (!strcmp(op, "create") && argc == 4) {
		io_uring_prep_openat(sqe, AT_FDCWD, argv[2], O_CREAT | O_WRONLY | O_TRUNC, strtol(argv[3], NULL, 8));
		int fd = run();
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_write(sqe, fd, "created\n", 8, 0);
		run();
	} else if (!strcmp(op, "write") && argc == 5) {
		io_uring_prep_write(sqe, open_rw(argv[2]), argv[4], strlen(argv[4]), strtoull(argv[3], NULL, 10));
		run();
	} else if (!strcmp(op, "writev") && argc == 6) {
		static struct iovec iov[2];
		iov[0] = (struct iovec){ argv[4], strlen(argv[4]) };
		iov[1] = (struct iovec){ argv[5], strlen(argv[5]) };
		io_uring_prep_writev(sqe, open_rw(argv[2]), iov, 2, strtoull(argv[3], NULL, 10));
		run();
	} else if (!strcmp(op, "rename") && argc == 4) {
		io_uring_prep_renameat(sqe, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 0);
		run();
	} else if (!strcmp(op, "unlink") && argc == 3) {
		io_uring_prep_unlinkat(sqe, AT_FDCWD, argv[2], 0);
		run();
	} else if (!strcmp(op, "rmdir") && argc == 3) {
		io_uring_prep_unlinkat(sqe, AT_FDCWD, argv[2], AT_REMOVEDIR);
		run();
	} else if (!strcmp(op, "mkdir") && argc == 4) {
		io_uring_prep_mkdirat(sqe, AT_FDCWD, argv[2], strtol(argv[3], NULL, 8));
		run();
	} else if (!strcmp(op, "symlink") && argc == 4) {
		io_uring_prep_symlinkat(sqe, argv[2], AT_FDCWD, argv[3]);
		run();
	} else if (!strcmp(op, "link") && argc == 4) {
		io_uring_prep_linkat(sqe, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 0);
		run();
	} else {
		fprintf(stderr, "uring-ops: unknown operation %s\n", op);
		return 2;
	}
	io_uring_queue_exit(&ring);
	return 0;
}
