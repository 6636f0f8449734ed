// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * A program the verifier must refuse (variable-offset stack read), for the test of how a refusal is
 * reported. Built by `make -C bpf refused`; the object is committed in the module's test resources.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tp_btf/sys_enter")
int refused(unsigned long long *ctx)
{
	char buf[8] = {};

	return buf[ctx[1] & 0xff];
}
