#!/usr/bin/env bash
# Installs what is missing, builds the whole solution (warnings are errors), then runs every test
# project. Results (TRX) go to TestResults/, which .ci/run reads for its totals.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prerequisites.sh
ensure_prerequisites
ensure_browser
rm -rf TestResults
dotnet build CareerPath.sln -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet test CareerPath.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory TestResults "$@"
