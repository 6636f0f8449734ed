# Sourced by the scripts that watch one recording. record_workload JAR WORKLOAD [record flags]: from a fresh
# setup of WORKLOAD (workload.sh), `java -jar JAR record` of it in the background, its pid in $pid, its stderr
# in $work/err. With $gate set to a path, the recorded command waits for that file before the workload runs.
# $TM_JAVA_OPTS, if set, are JVM options of the recorder alone (JAVA_TOOL_OPTIONS would reach the command's JVMs).
here=$(cd "$(dirname "$0")" && pwd)
work=${TM_AB_WORK:-/tmp/tm-ab}
record_workload() {
  jar=$1 w=$2; shift 2
  mkdir -p "$work/in"
  sh "$here/workload.sh" prepare "$w" "$work/in" >/dev/null
  rm -rf "$work/state"; sh "$here/workload.sh" setup "$w" "$work/root" "$work/in"; sync
  # shellcheck disable=SC2086 # a list of options
  java ${TM_JAVA_OPTS-} -jar "$jar" record "$@" --state-dir "$work/state" --path "$work/root" -- \
      sh -c 'while [ -n "$1" ] && [ ! -e "$1" ]; do sleep 0.01; done; shift; exec sh "$@"' - "${gate-}" \
      "$here/workload.sh" run "$w" "$work/root" "$work/in" 2>"$work/err" >/dev/null &
  pid=$!
}
