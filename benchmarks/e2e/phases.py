#!/usr/bin/env python3
"""Runs `record` (or any recorder) and splits its wall time in three, by watching /proc every 3 ms for a process
named COMM: from the start to the command's first sight, the command, and from its exit to the recorder's.
Also the peak RSS of the recorder and its children, and their CPU time.
    benchmarks/e2e/phases.py COMM RECORDER-COMMAND...
e.g. phases.py dd java -jar J record --state-dir S --path R -- dd if=/dev/zero of=R/out bs=4k count=524288"""
import os
import resource
import subprocess
import sys
import time


def running(comm):
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open(f'/proc/{d}/comm') as f:
                    if f.read().strip() == comm:
                        return True
            except OSError:
                pass
    return False


comm, argv = sys.argv[1], sys.argv[2:]
start = time.time()
p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seen = gone = None
while p.poll() is None:
    now = time.time()
    if running(comm):
        seen = seen or now
    elif seen and gone is None:
        gone = now
    time.sleep(0.003)
end = time.time()
if seen is None:
    sys.exit(f'no process named {comm} was seen')
gone = gone or end
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f'to command {seen - start:.3f}  command {gone - seen:.3f}  after {end - gone:.3f}  total {end - start:.3f}  '
      f'rss {ru.ru_maxrss // 1024} MiB  cpu {ru.ru_utime + ru.ru_stime:.2f} s')
sys.exit(p.returncode)
