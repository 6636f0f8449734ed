#!/bin/sh
# The bytes the recorder's threads write, by kind of file in the state dir, over one recording: strace attached
# to the recorder (not the command) once the command has started.
#   benchmarks/e2e/writes-by-file.sh JAR WORKLOAD [record flags]
set -eu
. "$(dirname "$0")/recording.sh"
record_workload "$@"
while ! pgrep -P "$pid" >/dev/null; do sleep 0.02; done
strace -f -qq -y -e trace=write,pwrite64,writev,pwritev,pwritev2 -e signal=none -o "$work/strace" -p "$pid" &
wait "$pid"; sleep 0.5
tail -1 "$work/err"
python3 - "$work/strace" <<'PY'
import collections, re, sys
by = collections.Counter()
for line in open(sys.argv[1]):
    m = re.search(r'^\d+\s+\w+\(\d+<([^>]*)>.*= (\d+)$', line.strip())
    if m:
        by[re.sub(r'(MANIFEST-|/)\d+(\.\w+)?$', r'\1N\2', m.group(1))] += int(m.group(2))
for path, n in by.most_common(8):
    print(f'{n / 1048576:9.1f} MiB {path}')
print(f'{sum(by.values()) / 1048576:9.1f} MiB in all')
PY
