#!/usr/bin/env bash
# Runs the test suite. Keychain tests need a real Secret Service: when none answers and
# dbus-run-session and gnome-keyring are installed, the suite runs inside a private D-Bus
# session with a throw-away keyring (never the user's own keyring). The heroku-postgresql tests
# get a throw-away PostgreSQL cluster when its server binaries are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/test-postgres.sh
. scripts/test-postgres.sh
start_test_postgres
cleanup() {
  stop_test_postgres
  [ -z "${keyring_home:-}" ] || rm -rf "$keyring_home"
}
trap cleanup EXIT

if [ "$#" -eq 0 ]; then
  # the whole suite (npm test, CI) fails on a type error anywhere (src, test and bench) and on
  # an ESLint error (src, test, bench and scripts)
  npm run lint --silent
  # the end-to-end tests run the built CLI: build what is being tested
  npm run build --silent >/dev/null
  set -- "test/**/*.test.ts"
fi

if [ -z "${HEROKU_TEST_KEYRING:-}" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  keyring_home=$(mktemp -d)
  export HEROKU_TEST_KEYRING=private
  # shellcheck disable=SC2016
  dbus-run-session -- bash -c '
    printf %s "test-keyring" | XDG_DATA_HOME="$1" gnome-keyring-daemon --unlock --components=secrets >/dev/null
    shift
    exec npx mocha "$@"
  ' _ "$keyring_home" "$@" 2> >(grep -v "Failed to set fd limit" >&2)
else
  npx mocha "$@"
fi
