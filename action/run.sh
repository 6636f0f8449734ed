#!/usr/bin/env bash
# The shell half of the Time Machine GitHub Action (../action.yml): runs a command under
# `timemachine record` and exits with the command's own exit code.
#
# Everything comes from environment variables, so it runs the same outside GitHub Actions:
#   INPUT_COMMAND    the command, a bash script run with -eo pipefail like a `run:` step (required)
#   INPUT_PATH       the roots to record, one per line (default: the current directory)
#   INPUT_EXCLUDE    globs to keep out of the recording, one per line (optional)
#   INPUT_STATE_DIR  where the recording goes (default: $RUNNER_TEMP/timemachine, or /tmp/timemachine)
#   TIMEMACHINE_BIN  the timemachine command (default: bin/timemachine of this checkout, which builds the
#                    jar with Maven when it is missing or stale; needs Java 17 and Maven)
#   GITHUB_OUTPUT    when set, exit-code=N and state-dir=DIR are appended to it
#
# Recording needs root for eBPF: as another user it goes through `sudo -E`; the command itself still runs
# as that user (record drops back to SUDO_UID), and the state dir is handed back to that user afterwards
# so a later step (actions/upload-artifact) can read it.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ -z "${INPUT_COMMAND:-}" ]; then
  echo "timemachine action: the 'command' input is required (a bash script to run under record)" >&2
  exit 2
fi

state_dir=${INPUT_STATE_DIR:-}
if [ -z "$state_dir" ]; then
  state_dir="${RUNNER_TEMP:-/tmp}/timemachine"
fi
case "$state_dir" in
  /*) ;;
  *) state_dir="$PWD/$state_dir" ;;
esac

args=(record --state-dir "$state_dir")
while IFS= read -r root; do
  [ -n "$root" ] && args+=(--path "$root")
done <<< "${INPUT_PATH:-.}"
while IFS= read -r glob; do
  [ -n "$glob" ] && args+=(--exclude "$glob")
done <<< "${INPUT_EXCLUDE:-}"
args+=(-- bash --noprofile --norc -eo pipefail -c "$INPUT_COMMAND")

if [ -n "${TIMEMACHINE_BIN:-}" ]; then
  tm=("$TIMEMACHINE_BIN")
else
  tm=("$here/bin/timemachine")
  # build (if needed) as the calling user, not as root under sudo
  "${tm[@]}" --version >/dev/null || { echo "timemachine action: could not build the timemachine jar" >&2; exit 1; }
fi

sudo=()
if [ "$(id -u)" != 0 ]; then
  sudo=(sudo -E env "PATH=$PATH")
fi

"${sudo[@]}" "${tm[@]}" "${args[@]}"
code=$?

if [ ${#sudo[@]} -gt 0 ] && [ -d "$state_dir" ]; then
  sudo chown -R "$(id -u):$(id -g)" "$state_dir"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  { echo "exit-code=$code"; echo "state-dir=$state_dir"; } >> "$GITHUB_OUTPUT"
fi
if [ "$code" != 0 ]; then
  echo "timemachine action: the command exited with $code; its recording is in $state_dir" >&2
fi
exit "$code"
