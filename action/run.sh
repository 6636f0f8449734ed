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
#   INPUT_REPORT     where the HTML report goes (default: the state dir's path with .report.html appended)
#   INPUT_ARTIFACT_NAME  the artifact the state dir is uploaded as, for the job summary's download command
#   GITHUB_OUTPUT    when set, exit-code=N, state-dir=DIR and report=FILE are appended to it
#   GITHUB_STEP_SUMMARY  when set, a Markdown summary of the recording is appended to it, with the commands
#                    that download the artifact and export the tree as it was when the command ended
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

# the report beside the state dir, and the job summary: a failure here does not change the command's exit code
report=${INPUT_REPORT:-${state_dir%/}.report.html}
summary_args=()
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  summary_args=(--markdown "$GITHUB_STEP_SUMMARY")
fi
if [ -d "$state_dir" ] && "${tm[@]}" report --state-dir "$state_dir" --out "$report" "${summary_args[@]}" >/dev/null; then
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    artifact=${INPUT_ARTIFACT_NAME:-timemachine}
    {
      echo "Open \`$(basename "$report")\` from the artifact in a browser to see the run; or, to rebuild the work tree as it was when the command ended:"
      echo
      echo '```sh'
      echo "gh run download ${GITHUB_RUN_ID:-RUN_ID}${GITHUB_REPOSITORY:+ --repo $GITHUB_REPOSITORY} --name '$artifact' --dir ./recording"
      echo "timemachine export --state-dir ./recording/$(basename "$state_dir") --time latest --out ./at-exit"
      echo '```'
    } >> "$GITHUB_STEP_SUMMARY"
  fi
else
  echo "timemachine action: could not write the report $report" >&2
  report=
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  { echo "exit-code=$code"; echo "state-dir=$state_dir"; echo "report=$report"; } >> "$GITHUB_OUTPUT"
fi
if [ "$code" != 0 ]; then
  echo "timemachine action: the command exited with $code; its recording is in $state_dir" >&2
fi
exit "$code"
