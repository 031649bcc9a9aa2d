# Sourced by run.sh and test.sh: installs what CareerPath needs and is missing, or says exactly
# what to run when it cannot (not root). Safe to run again: it only acts on what is missing.

say() { printf 'careerpath: %s\n' "$*" >&2; }

have_postgres_server() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then return 0; fi
  compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null
}

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    say "missing: $*. Install it with:"
    say "  sudo apt-get update && sudo apt-get install -y $*"
    exit 1
  fi
  if [ -z "${CAREERPATH_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export CAREERPATH_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    say "the .NET 10 SDK is missing: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run this again."
    exit 1
  fi
}

ensure_postgres() {
  have_postgres_server && return 0
  say "installing the PostgreSQL server binaries (CareerPath runs its own private cluster from them)"
  if [ "$(id -u)" -eq 0 ]; then
    # We only need the binaries: no system-wide cluster or service of Debian's own.
    mkdir -p /etc/postgresql-common
    [ -f /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  fi
  apt_install postgresql postgresql-contrib
  have_postgres_server || { say "PostgreSQL was installed but initdb/pg_ctl are still not found"; exit 1; }
}

# The repository's local tools (the SMTP server the e-mail tests send to).
ensure_dotnet_tools() {
  dotnet tool restore >/dev/null || { say "dotnet tool restore failed"; exit 1; }
}

# The repository's Node packages (package.json, pinned by package-lock.json): the State design system
# (DSFR) the server copies beside its assembly at build and serves, and the OpenAPI linter the API
# tests run. The DSFR's install script wants its terms of use accepted: .dsfr.yml at the root does. npm ci installs exactly the locked versions from the npm registry, and only when
# node_modules is missing or older than the lock file.
ensure_node_tools() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  [ -f "$root/package-lock.json" ] || return 0
  if ! command -v npm >/dev/null 2>&1; then
    say "installing Node.js and npm (for the repository's Node tools)"
    apt_install nodejs npm
  fi
  if [ ! -f "$root/node_modules/.package-lock.json" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ] \
     || [ "$root/package.json" -nt "$root/node_modules/.package-lock.json" ]; then
    say "installing the Node tools of package-lock.json (npm ci)"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { say "npm ci failed"; exit 1; }
  fi
}

# The browser the page tests drive (Playwright with Debian's chromium, not a downloaded one).
ensure_browser() {
  [ -x /usr/bin/chromium ] && return 0
  say "installing Debian's chromium (the browser the page tests drive)"
  apt_install chromium
  [ -x /usr/bin/chromium ] || { say "chromium was installed but /usr/bin/chromium is still missing"; exit 1; }
}

ensure_prerequisites() {
  ensure_dotnet
  ensure_postgres
  ensure_dotnet_tools
  ensure_node_tools
}
