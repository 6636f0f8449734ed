#!/bin/sh
# End-to-end workloads for dev.timemachine.bench.e2e.EndToEnd.
#
#   workload.sh prepare NAME INPUTS   one-time inputs, outside any recorded root (not timed)
#   workload.sh setup   NAME ROOT INPUTS   fresh state of the recorded root before one run (not timed)
#   workload.sh run     NAME ROOT INPUTS   the timed work; runs with ROOT as its working directory
#
# Everything is offline. INPUTS must not be under ROOT. Environment: TM_SRC (checkout to build, default
# the repository holding this script), TM_COMMIT (commit of it to build, default HEAD), TM_E2E (this
# directory), TM_SMALL_WRITES, TM_DD_COUNT, TM_SQLITE_TXNS, TM_GIT_COMMITS, TM_MIXED_TXNS, TM_MIXED_COMMITS (sizes).
set -eu
action=$1 name=$2
here=${TM_E2E:-$(cd "$(dirname "$0")" && pwd)}
src=${TM_SRC:-$(cd "$here/../.." && pwd)}
py=/usr/bin/python3   # not a pyenv shim: its own start-up would be measured

case "$action" in
prepare)
  inputs=$3
  mkdir -p "$inputs"
  case "$name" in
  maven)
    rm -rf "$inputs/project"; mkdir -p "$inputs/project"
    git -C "$src" archive "${TM_COMMIT:-HEAD}" | tar -x -C "$inputs/project"
    # warm the local repository (offline afterwards): one build outside any recording
    (cd "$inputs/project" && mvn -o -q -B -ntp -pl timemachine-api,timemachine-core package >/dev/null && rm -rf */target)
    ;;
  tar)
    [ -f "$inputs/usr.tar" ] || tar -c -f "$inputs/usr.tar" -C / usr/share/doc usr/lib/python3.11 2>/dev/null || [ -f "$inputs/usr.tar" ]
    ;;
  smallwrites)
    cc -O2 -o "$inputs/smallwrites" "$here/smallwrites.c"
    ;;
  esac
  ;;
setup)
  root=$3 inputs=$4
  rm -rf "$root"; mkdir -p "$root"
  case "$name" in
  maven) cp -a "$inputs/project/." "$root/" ;;
  esac
  ;;
run)
  root=$3 inputs=$4
  cd "$root"
  case "$name" in
  startup) true ;;
  maven)
    # compile, test-compile, test (surefire forks its JVM) and jar the api and core modules of this project
    # (CommandLauncherTest and TimeMachineTest are left out: they start children stopped, which time out under
    # ptrace, so strace and ReproZip would fail the build)
    mvn -o -q -B -ntp -pl timemachine-api,timemachine-core package -Dtest='!CommandLauncherTest,!TimeMachineTest' \
        -Dsurefire.failIfNoSpecifiedTests=false 1>&2
    ;;
  tar)
    tar -x -f "$inputs/usr.tar"
    tar -c -f repacked.tar usr
    ;;
  sqlite)
    "$py" - "${TM_SQLITE_TXNS:-2000}" <<'PY'
import sqlite3, sys
n = int(sys.argv[1])
db = sqlite3.connect("bench.db", isolation_level=None)
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, v BLOB)")
for i in range(n):
    db.execute("BEGIN")
    db.execute("INSERT INTO t (k, v) VALUES (?, ?)", ("key-%d" % i, bytes([i % 251]) * 100))
    db.execute("COMMIT")
db.close()
PY
    ;;
  git)
    git init -q repo
    cd repo
    git config user.email bench@example.com; git config user.name bench; git config gc.auto 0
    i=0
    while [ $i -lt "${TM_GIT_COMMITS:-200}" ]; do
      f=file$((i % 20)).txt
      echo "line $i of the benchmark history" >> "$f"
      git add "$f"
      git commit -q -m "edit $i"
      i=$((i + 1))
    done
    git gc -q --aggressive
    ;;
  mixed)
    # syscall-heavy real clients, about 35 s alone: SQLite 20-row transactions (rollback journal, fsync per
    # commit), then a few hundred git commits
    "$py" - "${TM_MIXED_TXNS:-25000}" <<'PY'
import sqlite3, sys
n = int(sys.argv[1])
db = sqlite3.connect("mixed.db", isolation_level=None)
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, v BLOB)")
for i in range(n):
    db.execute("BEGIN")
    for j in range(20):
        db.execute("INSERT INTO t (k, v) VALUES (?, ?)", ("key-%d-%d" % (i, j), bytes([(i + j) % 251]) * 200))
    db.execute("COMMIT")
db.close()
PY
    git init -q repo
    cd repo
    git config user.email bench@example.com; git config user.name bench; git config gc.auto 0
    i=0
    while [ $i -lt "${TM_MIXED_COMMITS:-1800}" ]; do
      f=file$((i % 20)).txt
      echo "line $i of the mixed history" >> "$f"
      git add "$f"
      git commit -q -m "edit $i"
      i=$((i + 1))
    done
    ;;
  dd) dd if=/dev/zero of=out bs=4k count="${TM_DD_COUNT:-524288}" status=none ;;
  smallwrites) "$inputs/smallwrites" out "${TM_SMALL_WRITES:-1000000}" ;;
  *) echo "unknown workload $name" >&2; exit 2 ;;
  esac
  ;;
*) echo "usage: workload.sh prepare|setup|run NAME ..." >&2; exit 2 ;;
esac
