#!/bin/sh
# The recorder's CPU by thread through one recording: every 0.25 s, the CPU time (ms) each of its threads
# (by name, as the kernel keeps it: 15 characters) took in the last interval, and CMD while the recorded
# command runs. Shows which threads run after the command has exited (compaction, flushes, the JIT).
#   benchmarks/e2e/thread-cpu.sh JAR WORKLOAD [record flags]
set -eu
. "$(dirname "$0")/recording.sh"
record_workload "$@"
python3 - "$pid" <<'PY'
import collections, os, sys, time
pid = sys.argv[1]; hz = os.sysconf('SC_CLK_TCK'); prev = {}; t0 = time.time()
while os.path.exists(f'/proc/{pid}/task'):
    cur = {}
    try:
        for tid in os.listdir(f'/proc/{pid}/task'):
            try:
                s = open(f'/proc/{pid}/task/{tid}/stat').read()
            except OSError:
                continue
            f = s[s.rindex(')') + 2:].split()
            cur[(tid, s[s.index('(') + 1:s.rindex(')')])] = int(f[11]) + int(f[12])
    except OSError:
        break
    by = collections.Counter()
    for k, v in cur.items():
        by[k[1]] += (v - prev.get(k, 0)) * 1000 // hz
    prev = cur
    child = os.popen(f'pgrep -P {pid}').read().strip()
    print(f"{time.time() - t0:5.2f} {'CMD' if child else '   '} "
          + ' '.join(f'{k}={v}' for k, v in by.most_common(7) if v > 0), flush=True)
    time.sleep(0.25)
PY
wait
tail -1 "$work/err"
