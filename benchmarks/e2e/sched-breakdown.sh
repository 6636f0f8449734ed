#!/bin/bash
# One run of a workload alone and one under `record`, each under `perf sched record -a`, with the disk's
# write counters around it; then offcpu.py's breakdown of both. Run as root on a quiet machine.
#   sched-breakdown.sh JAR WORKLOAD [OUT_DIR]     (WORKLOAD as in workload.sh: mixed, sqlite, git, dd, ...)
set -eu
jar=$1 name=$2 out=${3:-/tmp/tm-sched}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/in"
sh "$here/workload.sh" prepare "$name" "$out/in"
disk=$(lsblk -no pkname "$(df --output=source "$out" | tail -1)" 2>/dev/null || true)
disk=${disk:-$(basename "$(df --output=source "$out" | tail -1)")}
written() { awk -v d="$disk" '$3 == d { print $10 * 512, $11 }' /proc/diskstats; }
for mode in alone record; do
  rm -rf "$out/root" "$out/state"
  sh "$here/workload.sh" setup "$name" "$out/root" "$out/in"
  sync; sleep 2
  before=$(written); t0=$(date +%s.%N)
  if [ "$mode" = alone ]; then
    (cd "$out/root" && perf sched record -a -o "$out/$mode.perf" -- sh "$here/workload.sh" run "$name" "$out/root" "$out/in") \
      >/dev/null 2>"$out/$mode.err"
  else
    (cd "$out/root" && perf sched record -a -o "$out/$mode.perf" -- java -jar "$jar" record --state-dir "$out/state" \
      --path "$out/root" -- sh "$here/workload.sh" run "$name" "$out/root" "$out/in") >/dev/null 2>"$out/$mode.err"
  fi
  t1=$(date +%s.%N); after=$(written)
  echo "$mode: $(echo "$t1 - $t0" | bc) s wall; disk written $(echo "$before $after" | awk '{printf "%.1f MiB, %.1f s of write time", ($3-$1)/1048576, ($4-$2)/1000}')"
  grep -h "timemachine: recorded" "$out/$mode.err" || true
done
python3 "$here/offcpu.py" "$out/alone.perf" "$out/record.perf"
