#!/bin/sh
# A CPU profile of the recorder through one recording, taken by async-profiler attached once the command has
# started (so the BPF programs are loaded before the profiler's signal handler is) and before the workload runs
# (the command waits for it), written in collapsed form to OUT when the recorder exits, frames by thread.
#   benchmarks/e2e/profile-record.sh JAR WORKLOAD LIBASYNCPROFILER OUT [record flags]
set -eu
jar=$1 w=$2 lib=$3 out=$4; shift 4
here=$(cd "$(dirname "$0")" && pwd)
work=${TM_AB_WORK:-/tmp/tm-ab}
mkdir -p "$work/in"
sh "$here/workload.sh" prepare "$w" "$work/in" >/dev/null
rm -rf "$work/state" "$work/attached"; sh "$here/workload.sh" setup "$w" "$work/root" "$work/in"; sync
java -jar "$jar" record "$@" --state-dir "$work/state" --path "$work/root" -- \
    sh -c 'while [ ! -e "$1/attached" ]; do sleep 0.01; done; shift; exec sh "$@"' - "$work" \
    "$here/workload.sh" run "$w" "$work/root" "$work/in" 2>"$work/err" >/dev/null &
pid=$!
while ! pgrep -P "$pid" >/dev/null; do sleep 0.02; done
java "$here/Attach.java" "$pid" "$lib" "start,event=cpu,interval=1ms,threads,collapsed,file=$out"
touch "$work/attached"
wait "$pid"
tail -1 "$work/err"
