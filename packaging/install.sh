#!/bin/sh
# Installs heroku-toolbelt's standalone tarball (Node.js bundled; no node needed):
#
#   curl -fsSL https://github.com/heroku-toolbelt/heroku-toolbelt/releases/latest/download/install.sh | sh
#
# HEROKU_TOOLBELT_PREFIX        where to install (default /usr/local; ~/.local needs no root):
#                               PREFIX/lib/heroku-toolbelt, and the link PREFIX/bin/heroku
# HEROKU_TOOLBELT_DOWNLOAD_URL  where SHA256SUMS and the tarballs are (default: the latest release)
#
# The tarball is checked against SHA256SUMS before it is unpacked. An older install is replaced
# by renames within PREFIX/lib, so `heroku` is the old or the new one, never half of either.
# On any failure (unknown platform, failed download, checksum mismatch, no write permission)
# it stops with nothing changed.
set -eu

base=${HEROKU_TOOLBELT_DOWNLOAD_URL:-https://github.com/heroku-toolbelt/heroku-toolbelt/releases/latest/download}
prefix=${HEROKU_TOOLBELT_PREFIX:-/usr/local}
base=${base%/}

say() { printf '%s\n' "$*" >&2; }
fail() {
  say "heroku-toolbelt install: $*"
  say "Nothing was changed."
  exit 1
}

platform() {
  os=$(uname -s)
  arch=$(uname -m)
  case $os in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) fail "no standalone build for $os (Linux only; on macOS: brew install heroku-toolbelt/tap/heroku-toolbelt)." ;;
  esac
  case $arch in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "no standalone build for the $arch CPU." ;;
  esac
  echo "$os-$arch"
}

download() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1" || fail "could not download $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || fail "could not download $1"
  else
    fail "neither curl nor wget is installed."
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is installed: the download cannot be checked."
  fi
}

# Whether DIR could be created or written: its nearest existing ancestor is a writable directory.
can_write() {
  existing=$1
  while [ ! -e "$existing" ]; do existing=$(dirname "$existing"); done
  [ -d "$existing" ] && [ -w "$existing" ]
}

target=$(platform)
command -v xz >/dev/null 2>&1 || fail "xz is needed to unpack the tarball (apt-get install xz-utils)."

lib="$prefix/lib/heroku-toolbelt"
link="$prefix/bin/heroku"
for d in "$prefix/lib" "$prefix/bin"; do
  can_write "$d" || fail "cannot write to $d. Run it as root (sudo sh), or install for yourself: HEROKU_TOOLBELT_PREFIX=~/.local."
done
if [ -e "$link" ] || [ -L "$link" ]; then
  [ "$(readlink "$link" 2>/dev/null || true)" = "$lib/bin/heroku" ] \
    || fail "$link exists and is not heroku-toolbelt's: remove it, or choose another HEROKU_TOOLBELT_PREFIX."
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/heroku-toolbelt-install.XXXXXX")
staged=""
made="" # directories this run created, removed again when it fails
finished=""
cleanup() {
  rm -rf "$tmp"
  [ -z "$staged" ] || rm -rf "$staged"
  if [ -z "$finished" ]; then
    for d in $made; do rmdir "$d" 2>/dev/null || true; done
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

download "$base/SHA256SUMS" "$tmp/SHA256SUMS"
line=$(grep -E "^[0-9a-f]{64}  heroku-toolbelt-v[^ /]+-$target\.tar\.xz\$" "$tmp/SHA256SUMS" | head -n 1 || true)
[ -n "$line" ] || fail "no standalone build for $target in $base/SHA256SUMS."
expected=${line%% *}
name=${line##* }
say "Downloading $name"
download "$base/$name" "$tmp/$name"
actual=$(sha256_of "$tmp/$name")
[ "$actual" = "$expected" ] || fail "checksum mismatch for $name: SHA256SUMS says $expected, the download is $actual."

# unpacked next to the install (same filesystem), so that moving it in is a rename
for d in "$prefix" "$prefix/lib" "$prefix/bin"; do
  [ -d "$d" ] && continue
  mkdir "$d" || fail "cannot create $d."
  made="$d $made" # deepest first, for rmdir
done
staged=$(mktemp -d "$prefix/lib/.heroku-toolbelt-new.XXXXXX") || fail "cannot write to $prefix/lib."
xz -dc "$tmp/$name" | tar -xf - -C "$staged" || fail "$name could not be unpacked (a damaged download?)."
[ -x "$staged/heroku-toolbelt/bin/heroku" ] || fail "$name has no heroku-toolbelt/bin/heroku."
version=$("$staged/heroku-toolbelt/bin/heroku" --version) || fail "the unpacked heroku does not run on this machine."

old=""
if [ -e "$lib" ]; then
  old="$staged/previous"
  mv "$lib" "$old" || fail "cannot move the installed $lib aside."
fi
if ! mv "$staged/heroku-toolbelt" "$lib"; then
  [ -z "$old" ] || mv "$old" "$lib"
  fail "cannot move the new version into $lib."
fi
# a new link renamed over the old one: PREFIX/bin/heroku never goes missing
ln -s "$lib/bin/heroku" "$staged/heroku"
mv -f "$staged/heroku" "$link" || say "Could not link $link to $lib/bin/heroku: link it yourself."
rm -rf "$staged"
staged=""
finished=1

# completion, where bash-completion and zsh look under PREFIX; an existing file of another tool is left alone
for pair in "bash-completion/completions/heroku:bash/heroku" "zsh/site-functions/_heroku:zsh/_heroku"; do
  dest="$prefix/share/${pair%%:*}"
  src="$lib/autocomplete/${pair##*:}"
  [ -f "$src" ] || continue
  if [ -e "$dest" ] && [ "$(readlink "$dest" 2>/dev/null || true)" != "$src" ]; then
    say "$dest exists: completion for heroku not linked there."
    continue
  fi
  mkdir -p "$(dirname "$dest")" && ln -sfn "$src" "$dest" || say "Could not link $dest: completion for heroku is in $src."
done

say "Installed $version: $link"
say "Shell completion: bash needs the bash-completion package; zsh needs $prefix/share/zsh/site-functions in \$fpath."
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) say "$prefix/bin is not on your PATH: add it (export PATH=\"$prefix/bin:\$PATH\") to run heroku." ;;
esac
