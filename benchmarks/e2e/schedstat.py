#!/usr/bin/env python3
"""Runs one command and prints how its process spent the run, from /proc/PID/schedstat (polled every 5 ms):
time on a CPU, time runnable but waiting for one (preempted or not yet scheduled), and how many timeslices it
got. One process only: for a command that does its work itself (dd, the small-writes program), not a script
that starts others. Run it as the command of `record` to see what the recorder does to the command's scheduling.
    benchmarks/e2e/schedstat.py LABEL CMD [ARGS...]"""
import subprocess
import sys
import time

label, argv = sys.argv[1], sys.argv[2:]
p = subprocess.Popen(argv)
start = time.time()
last = None
while p.poll() is None:
    try:
        with open(f'/proc/{p.pid}/schedstat') as f:
            last = f.read().split()
    except OSError:
        pass
    time.sleep(0.005)
wall = time.time() - start
if last is None:
    sys.exit(f'{label}: the command ended before its first sample')
print(f'{label}: wall {wall:.2f} s, on CPU {int(last[0]) / 1e9:.2f} s, runnable waiting {int(last[1]) / 1e9:.2f} s, '
      f'timeslices {last[2]}', file=sys.stderr)
sys.exit(p.returncode)
