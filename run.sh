#!/usr/bin/env bash
# Installs what is missing, builds, then runs CareerPath on its embedded PostgreSQL
# (or on ConnectionStrings__CareerPath when set). Extra arguments go to the server, e.g. --urls.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prerequisites.sh
ensure_prerequisites
dotnet build src/CareerPath.Server -c Release --nologo -v quiet -clp:ErrorsOnly
exec dotnet src/CareerPath.Server/bin/Release/net10.0/CareerPath.Server.dll --seed-demo "$@"
