#!/bin/sh
# Alternated start-up runs: `record -- true` through each launcher in turn, N rounds, then the median wall
# time and CPU (user + sys) of each. A launcher is a checkout's bin/timemachine (its first runs write its
# AppCDS archive, so two warm-up runs each come first).
#   benchmarks/e2e/startup-ab.sh N LAUNCHER...
set -eu
n=$1; shift
work=$(mktemp -d)
mkdir -p "$work/root"
for l in "$@"; do for w in 1 2; do rm -rf "$work/s"; "$l" record --state-dir "$work/s" --path "$work/root" -- true >/dev/null 2>&1; done; done
for i in $(seq "$n"); do for l in "$@"; do
  rm -rf "$work/s"
  /usr/bin/time -o "$work/t" -f '%e %U %S' "$l" record --state-dir "$work/s" --path "$work/root" -- true >/dev/null 2>&1
  echo "$l $(cat "$work/t")" >> "$work/runs"
done; done
python3 - "$work/runs" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    launcher, wall, user, sys_ = line.split()
    runs[launcher].append((float(wall), float(user) + float(sys_)))
for launcher, v in runs.items():
    wall = [w for w, _ in v]; cpu = [c for _, c in v]
    print('%s: wall median %.3f s [%.2f-%.2f], CPU median %.2f s, n=%d'
          % (launcher, statistics.median(wall), min(wall), max(wall), statistics.median(cpu), len(v)))
PY
rm -rf "$work"
