// Loads the capture's BPF object as the recorder does (ring buffer sized, every program loaded, nothing
// attached) and prints how long the load took and how long the verifier spent on each program.
//   make -C bpf loadtime && bpf/build/loadtime bpf/build/timemachine.bpf.o [ring-bytes]
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PROGS 32
#define LOG_SIZE (1 << 16)

static char logs[MAX_PROGS][LOG_SIZE];

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	double start;
	int i = 0, err;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [RING_BYTES]\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror(argv[1]);
		return 1;
	}
	bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "rb"), argc > 2 ? atoi(argv[2]) : 256 << 20);
	bpf_object__for_each_program(p, obj) {
		if (i == MAX_PROGS)
			break;
		/* level 4: the verifier's statistics only, among them its time */
		bpf_program__set_log_buf(p, logs[i++], LOG_SIZE);
		bpf_program__set_log_level(p, 4);
	}
	start = now();
	err = bpf_object__load(obj);
	printf("load: %.3f s%s\n", now() - start, err ? " (refused)" : "");
	i = 0;
	bpf_object__for_each_program(p, obj) {
		char *stats = i < MAX_PROGS ? strstr(logs[i++], "verification time") : NULL;
		long us = stats ? atol(stats + strlen("verification time ")) : -1;

		printf("  %-24s %8.1f ms\n", bpf_program__name(p), us / 1000.0);
	}
	bpf_object__close(obj);
	return err ? 1 : 0;
}
