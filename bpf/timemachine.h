/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * Layout shared by the BPF program and the Java side (dev.timemachine.capture.ebpf.RecordLayout).
 * Every ring-buffer record starts with struct tm_hdr, little endian, followed by len1 bytes then len2
 * bytes. Change both sides together: RecordLayoutTest compiles this file and compares.
 */
#ifndef TIMEMACHINE_H
#define TIMEMACHINE_H

/* tm_hdr.type: 1..18 are the api's Op codes; the others are decoder bookkeeping. */
#define TM_OP_WRITE 1
#define TM_OP_CREATE 2
#define TM_OP_TRUNCATE 3
#define TM_OP_FALLOCATE 4
#define TM_OP_RENAME 5
#define TM_OP_EXCHANGE 6
#define TM_OP_UNLINK 7
#define TM_OP_MKDIR 8
#define TM_OP_RMDIR 9
#define TM_OP_CHMOD 10
#define TM_OP_SYMLINK 11
#define TM_OP_LINK 12
#define TM_OP_REREAD 13
#define TM_OP_LOST 14
/* len bytes copied from path2 (a regular file) at file_key to path at offset */
#define TM_OP_COPY 15
/* process pid (parent in mode) executed path; path2 holds its argv, NUL-separated, cut at 256 bytes */
#define TM_OP_EXEC 16
/* process pid was forked by the process in mode */
#define TM_OP_FORK 17
/* a FIFO, socket or device node (type and permission bits in mode) was made at path */
#define TM_OP_SPECIAL 18
/* file_key now names the path in the payload; WRITE and LOST records refer to it by file_key. */
#define TM_REC_PATH 32
/* file_key was closed: forget it. */
#define TM_REC_CLOSE 33
/* process pid, which had shared writable file mappings, has exited: its mapped files are final now */
#define TM_REC_EXIT_MAPPED 34
/* the io_uring request file_key completed with result length (negative: failed, its URING records void) */
#define TM_REC_URING_DONE 35

/* tm_hdr.mode of a REREAD: why (the api's ApproximateReason codes) */
#define TM_WHY_MAPPED 1
#define TM_WHY_PIPE 2
#define TM_WHY_IO_URING 3
#define TM_WHY_UNREADABLE 4
#define TM_WHY_TMPFILE 10

/* tm_hdr.flags: the api's FsEvent.FLAG_* bits */
#define TM_FLAG_APPEND 1
#define TM_FLAG_APPROXIMATE 2
#define TM_FLAG_NOREPLACE 4
#define TM_FLAG_DIRECTORY 8
#define TM_FLAG_CHUNK_MORE 16
/* set by the decoder, never by the program: a mapped file's re-read where the stores are in it */
#define TM_FLAG_SYNCED 32
/* decoder-internal, never delivered: this REREAD is a new shared writable mapping of the file */
#define TM_FLAG_MAPPED 0x8000
/* decoder-internal, never delivered: this REREAD is a munmap of that many bytes of the file */
#define TM_FLAG_UNMAPPED 0x4000
/*
 * decoder-internal, never delivered: the record is about a file opened O_TMPFILE, named by file_key (its own
 * path names no file in the tree). On a LINK, file_key's file got the name in the payload.
 */
#define TM_FLAG_TMPFILE 0x2000
/* decoder-internal, never delivered: what io_uring request file_key will do, if its TM_REC_URING_DONE says so */
#define TM_FLAG_URING 0x1000

struct tm_hdr {
	__u64 time_ns;  /* CLOCK_MONOTONIC at sys_exit */
	__u64 file_key; /* struct file * of WRITE / PATH / CLOSE / LOST records, the source offset of COPY, else 0 */
	__u64 offset;
	__u64 length;
	__u32 pid;
	__u32 tid;
	__u32 mode;
	__u16 type;
	__u16 flags;
	__u32 len1;     /* WRITE: payload bytes; PATH: path bytes; others: path bytes */
	__u32 len2;     /* second path bytes */
};

/* value of the single entry of the "config" array map, written by Java before attaching */
struct tm_config {
	__u64 wakeup_bytes; /* force a wakeup once this much data waits; below it, none */
	__u32 chunk_bytes;  /* payload bytes per WRITE record at most */
	__u32 reserved;
};

#endif
