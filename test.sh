#!/usr/bin/env bash
# Installs what is missing, builds the whole solution (warnings are errors), then runs every test
# project. Results (TRX) go to TestResults/, which .ci/run reads for its totals.
#
# The test projects run two at a time, longest first: each worker takes the next project not taken yet from a
# list ordered by duration, so the longest start at once and never wait behind the others. Extra arguments go to every `dotnet test` (e.g. --filter).
# Exits non-zero if any project fails.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prerequisites.sh
ensure_prerequisites
ensure_browser
rm -rf TestResults
dotnet build CareerPath.sln -c Release --nologo -v quiet -clp:ErrorsOnly

# One project's tests, its console lines prefixed with its name; the TRX file named after the project.
run_tests() {
  local project=$1; shift
  dotnet test "tests/$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$project.trx" --logger "console;verbosity=normal" --results-directory TestResults "$@" 2>&1 \
    | sed -u "s/^/[${project#CareerPath.}] /"
}

# Longest first (measured); a project not listed (a new one) runs after them.
order=(CareerPath.Server.Tests CareerPath.Web.Tests CareerPath.Workflows.Tests CareerPath.Domain.Tests)
for dir in tests/*/; do
  project=$(basename "$dir")
  [[ " ${order[*]} " == *" $project "* ]] || order+=("$project")
done
mkdir -p TestResults/.taken

# Takes each project no other worker has taken (mkdir is atomic), runs it; fails if one of its projects failed.
worker() {
  local status=0 project
  for project in "${order[@]}"; do
    mkdir "TestResults/.taken/$project" 2>/dev/null || continue
    run_tests "$project" "$@" || status=1
  done
  return $status
}

trap 'kill $(jobs -p) 2>/dev/null' INT TERM
# Two workers on two cores (three were tried: every project ran slower and the whole took longer).
# CAREERPATH_TEST_WORKERS changes it.
pids=()
for _ in $(seq "${CAREERPATH_TEST_WORKERS:-2}"); do
  worker "$@" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
rm -rf TestResults/.taken
[ $status -eq 0 ] || echo "careerpath: some tests failed (see the lines above and TestResults/*.trx)" >&2
exit $status
