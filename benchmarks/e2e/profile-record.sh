#!/bin/sh
# A CPU profile of the recorder through one recording, taken by async-profiler attached once the command has
# started (so the BPF programs are loaded before the profiler's signal handler is) and before the workload runs
# (the command waits for it), written in collapsed form to OUT when the recorder exits, frames by thread.
#   benchmarks/e2e/profile-record.sh JAR WORKLOAD LIBASYNCPROFILER OUT [record flags]
set -eu
jar=$1 w=$2 lib=$3 out=$4; shift 4
. "$(dirname "$0")/recording.sh"
gate=$work/attached
rm -f "$gate"
record_workload "$jar" "$w" "$@"
while ! pgrep -P "$pid" >/dev/null; do sleep 0.02; done
java "$here/Attach.java" "$pid" "$lib" "start,event=cpu,interval=1ms,threads,collapsed,file=$out"
touch "$gate"
wait "$pid"
tail -1 "$work/err"
