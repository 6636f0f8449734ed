#!/bin/sh
# Alternated rounds of one workload: alone, then under `java -jar JAR record FLAGS` for each variant in turn,
# each from a fresh `workload.sh setup`; prints every run's wall time (s), peak RSS (KiB), user and system CPU
# (s, the recorder and the command together), the records it dropped and how long compaction took after the
# command (s), and the CPU steal of each round (from
# /proc/stat, in clock ticks of all CPUs).
#   benchmarks/e2e/record-ab.sh WORKLOAD ROUNDS LABEL=JAR[:FLAGS][,JVM-OPTION...]|capture...
# A JVM option java=PATH runs that java instead of the one on the PATH.
# A variant named just `capture` runs the command under the capture alone (CaptureOnly from
# benchmarks/target/benchmarks.jar: the BPF programs and the decoding in a JVM of its own, no journal).
# e.g. record-ab.sh dd 4 old=/tmp/old.jar new=timemachine-cli/target/timemachine.jar \
#          later=timemachine-cli/target/timemachine.jar:--compact=later g1=/tmp/old.jar,-XX:+UseG1GC
# Inputs (workload.sh prepare) and the recorded root live in $TM_AB_WORK (default /tmp/tm-ab).
set -eu
w=$1 n=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=${TM_AB_WORK:-/tmp/tm-ab}
mkdir -p "$work/in"
sh "$here/workload.sh" prepare "$w" "$work/in" >/dev/null
for i in $(seq "$n"); do
  st0=$(awk '/^cpu /{print $9}' /proc/stat)
  sh "$here/workload.sh" setup "$w" "$work/root" "$work/in"; sync
  /usr/bin/time -o "$work/t" -f '%e %M %U %S' sh "$here/workload.sh" run "$w" "$work/root" "$work/in"
  echo "alone $(cat "$work/t")"
  for v in "$@"; do
    if [ "$v" = capture ]; then
      sh "$here/workload.sh" setup "$w" "$work/root" "$work/in"; sync
      /usr/bin/time -o "$work/t" -f '%e %M %U %S' java -cp "$here/../target/benchmarks.jar" \
          dev.timemachine.bench.capture.CaptureOnly sh "$here/workload.sh" run "$w" "$work/root" "$work/in" \
          2>"$work/err" >/dev/null
      echo "capture $(cat "$work/t") dropped $(sed -n 's/.* \([0-9][0-9]*\) dropped.*/\1/p' "$work/err" | tail -1)"
      continue
    fi
    label=${v%%=*} rest=${v#*=}
    jvm= java_bin=java
    for o in $(echo "${rest#"${rest%%,*}"}" | tr , ' '); do
      case $o in java=*) java_bin=${o#java=} ;; *) jvm="$jvm $o" ;; esac
    done
    rest=${rest%%,*}
    jar=${rest%%:*} flags=
    [ "$jar" = "$rest" ] || flags=${rest#*:}
    rm -rf "$work/state"; sh "$here/workload.sh" setup "$w" "$work/root" "$work/in"; sync
    # shellcheck disable=SC2086
    /usr/bin/time -o "$work/t" -f '%e %M %U %S' "$java_bin" $jvm -jar "$jar" record $flags --state-dir "$work/state" \
        --path "$work/root" -- sh "$here/workload.sh" run "$w" "$work/root" "$work/in" 2>"$work/err" >/dev/null
    echo "$label $(cat "$work/t") dropped $(sed -n 's/.* \([0-9][0-9,]*\) dropped.*/\1/p' "$work/err" | tail -1)" \
        "lag $(sed -n 's/.*compaction done \([0-9.]*\)s after.*/\1/p' "$work/err" | tail -1)"
  done
  echo "  steal $(( $(awk '/^cpu /{print $9}' /proc/stat) - st0 ))"
done
