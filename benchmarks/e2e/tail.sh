#!/bin/sh
# What follows the command: one recording of WORKLOAD (workload.sh) under `java -jar JAR record`, the recorded
# command writing the time as its last act; prints the milliseconds from then to the recorder's exit, and the
# compaction lag the recorder's summary gives.
#   benchmarks/e2e/tail.sh JAR WORKLOAD
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${TM_AB_WORK:-/tmp/tm-ab}
jar=$1 w=$2
mkdir -p "$work/in"
sh "$here/workload.sh" prepare "$w" "$work/in" >/dev/null
rm -rf "$work/state"; sh "$here/workload.sh" setup "$w" "$work/root" "$work/in"; sync
java -jar "$jar" record --state-dir "$work/state" --path "$work/root" -- \
    sh -c 'sh "$1" run "$2" "$3" "$4"; date +%s%N > "$5"' - "$here/workload.sh" "$w" "$work/root" "$work/in" \
    "$work/end" 2>"$work/err" >/dev/null
t1=$(date +%s%N)
echo "$jar: $(( (t1 - $(cat "$work/end")) / 1000000 )) ms after the command," \
    "$(sed -n 's/.*\(compaction done [0-9.]*s\) after.*/\1/p' "$work/err" | tail -1)"
