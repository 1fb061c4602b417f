#!/usr/bin/env bash
# Sourced by scripts/test.sh: starts a throw-away PostgreSQL cluster for the add-on tests when
# PostgreSQL's server binaries are installed and no HEROKU_PLATFORM_POSTGRES_URL is given, and
# exports that URL. Password auth, loopback only, removed when the tests end.

start_test_postgres() {
  [ -z "${HEROKU_PLATFORM_POSTGRES_URL:-}" ] || return 0
  local initdb
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] || return 0
  local bindir pgdir password port
  bindir=$(dirname "$initdb")
  pgdir=$(mktemp -d)
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  local as_owner=()
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root
    chown postgres "$pgdir"
    as_owner=(runuser -u postgres --)
  fi
  printf '%s\n' "$password" > "$pgdir/pw"
  chmod 600 "$pgdir/pw"
  [ "$(id -u)" != 0 ] || chown postgres "$pgdir/pw"
  "${as_owner[@]}" "$bindir/initdb" -D "$pgdir/data" -U admin --pwfile="$pgdir/pw" --auth=scram-sha-256 >/dev/null
  rm -f "$pgdir/pw"
  # a free port: try a few at random, the server itself says whether it could bind
  for _ in 1 2 3 4 5; do
    port=$((40000 + RANDOM % 20000))
    if "${as_owner[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -t 30 \
        -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
      export HEROKU_PLATFORM_POSTGRES_URL="postgres://admin:$password@127.0.0.1:$port/postgres"
      TEST_POSTGRES_STOP=("${as_owner[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -m fast -w stop)
      TEST_POSTGRES_DIR=$pgdir
      return 0
    fi
  done
  echo "warning: could not start a test PostgreSQL (see $pgdir/log); its tests will be skipped" >&2
}

stop_test_postgres() {
  if [ -n "${TEST_POSTGRES_DIR:-}" ]; then
    "${TEST_POSTGRES_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$TEST_POSTGRES_DIR"
  fi
}
