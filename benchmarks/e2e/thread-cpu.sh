#!/bin/sh
# The recorder's CPU by thread through one recording: every 0.25 s, the CPU time (ms) each of its threads
# (by name, as the kernel keeps it: 15 characters) took in the last interval, and CMD while the recorded
# command runs. Shows which threads run after the command has exited (compaction, flushes, the JIT).
#   benchmarks/e2e/thread-cpu.sh JAR WORKLOAD [record flags]
set -eu
jar=$1 w=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=${TM_AB_WORK:-/tmp/tm-ab}
mkdir -p "$work/in"
sh "$here/workload.sh" prepare "$w" "$work/in" >/dev/null
rm -rf "$work/state"; sh "$here/workload.sh" setup "$w" "$work/root" "$work/in"; sync
java -jar "$jar" record "$@" --state-dir "$work/state" --path "$work/root" -- \
    sh "$here/workload.sh" run "$w" "$work/root" "$work/in" 2>"$work/err" >/dev/null &
python3 - $! <<'PY'
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
