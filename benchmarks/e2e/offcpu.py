#!/usr/bin/env python3
"""Where a recorded command's time goes: on CPU, waiting for a CPU, blocked, from `perf sched timehist`.

Usage: offcpu.py FILE.perf [FILE.perf ...]   (each from `perf sched record -a -o FILE.perf -- CMD`)

For every task it sums run time, scheduling delay (runnable, waiting for a CPU: the run queue) and the
time off CPU in each state it left the CPU in (S sleeping, D uninterruptible: disk I/O and fsync). Tasks are
grouped: the recorder's JVM threads by name (tm-consumer, tm-appender, tm-compactor, tm-hasher, rocksdb,
JIT, GC, other JVM), the recorded command's processes by command name, kernel threads as 'kernel'.
Prints one table per file, then the differences of the second and later files from the first.
"""
import collections
import re
import subprocess
import sys

JVM = [("tm-consumer", "consumer"), ("tm-appender", "appender"), ("tm-compactor", "compactor"),
       ("tm-hasher", "hashers"), ("rocksdb", "rocksdb"), ("CompilerThre", "JIT"), ("C2 Compiler", "JIT"),
       ("C1 Compiler", "JIT"), ("GC Thread", "GC"), ("G1 ", "GC"), ("VM Thread", "GC")]
KERNEL = re.compile(r"^(kworker|ksoftirqd|kthreadd|rcu_|migration|jbd2|kswapd|idle|swapper|irq/|cpuhp|writeback|khugepaged|kcompactd|watchdog)")


def group(comm, pid, jvm_pids):
    if pid in jvm_pids:
        for prefix, name in JVM:
            if comm.startswith(prefix):
                return "recorder: " + name
        return "recorder: other JVM"
    if KERNEL.match(comm) or pid == 0:
        return "kernel"
    return "command: " + comm


def parse(path):
    out = subprocess.run(["perf", "sched", "timehist", "-i", path, "--state", "-w"], capture_output=True,
                         text=True, check=True).stdout
    rows = []
    pids = {}
    for line in out.splitlines():
        # time cpu task[tid/pid] waittime schdelay runtime state
        m = re.match(r"\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)\[(\d+)(?:/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([A-Z])?", line)
        if not m:
            continue
        comm, tid, pid = m.group(3).strip(), int(m.group(4)), int(m.group(5) or m.group(4))
        rows.append((comm, tid, pid, float(m.group(6)), float(m.group(7)), float(m.group(8)), m.group(9) or "?"))
        pids[tid] = (comm, pid)
    jvm_pids = {pid for comm, tid, pid, *_ in rows if comm.startswith(("tm-", "rocksdb"))}
    totals = collections.defaultdict(lambda: collections.Counter())
    for comm, tid, pid, wait, delay, run, state in rows:
        g = group(comm, pid, jvm_pids)
        t = totals[g]
        t["run"] += run / 1000
        t["runqueue"] += delay / 1000
        t["off:" + state] += max(0.0, wait - delay) / 1000
    return totals


def table(title, totals):
    cols = ["run", "runqueue", "off:S", "off:D"]
    print(f"\n{title}\n| task | " + " | ".join(c + " (s)" for c in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for g in sorted(totals, key=lambda g: -totals[g]["run"]):
        if totals[g]["run"] < 0.05 and totals[g]["off:D"] < 0.05:
            continue
        print(f"| {g} | " + " | ".join(f"{totals[g][c]:.2f}" for c in cols) + " |")


def main():
    files = sys.argv[1:]
    all_totals = [parse(f) for f in files]
    for f, t in zip(files, all_totals):
        table(f, t)
        cmd = collections.Counter()
        for g, c in t.items():
            if g.startswith("command: "):
                cmd.update(c)
        print(f"\ncommand, all processes: run {cmd['run']:.2f} s, runqueue {cmd['runqueue']:.2f} s, "
              f"off S {cmd['off:S']:.2f} s, off D {cmd['off:D']:.2f} s")


if __name__ == "__main__":
    main()
