#!/usr/bin/env bash
# Prints the path of a CPython >= 3.12 interpreter, which Harbor needs (every `harbor` release on PyPI does).
#
#   integrations/harbor/ensure-python.sh            find one, or build CPython 3.13 once into the cache
#   TERRARIUM_HARBOR_PYTHON=/path/python3.13 ...    use that one
#   TERRARIUM_HARBOR_BUILD_PYTHON=1 ...             skip the search: use (or make) the cached build
#
# The search takes an interpreter that is already here (python3.13 or python3.12 on PATH, or a pyenv version)
# if it has the standard modules Harbor's dependencies load (ssl, sqlite3, ctypes, lzma, bz2, zlib). Else the
# script builds CPython from the upstream source tarball that Debian's pool mirrors (the machine reaches
# deb.debian.org, not python.org), checked against its sha256, with the build dependencies from this
# machine's apt, into $XDG_CACHE_HOME/terrarium/python-<version> (no PGO: a plain -O2 build). The build is done
# once: a stamp marks a finished install, a lock keeps two runs from building at the same time, and an
# unfinished one is removed and redone. Progress goes to stderr, the path alone to stdout.
set -euo pipefail

version=3.13.5
sha256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
tarball="python3.13_${version}.orig.tar.xz"
url="https://deb.debian.org/debian/pool/main/p/python3.13/$tarball"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/terrarium"
prefix="$cache/python-$version"
stamp="$prefix/.terrarium-built"
modules='import ssl, sqlite3, ctypes, lzma, bz2, zlib, sys; sys.exit(sys.version_info < (3, 12))'

log() { echo "ensure-python: $*" >&2; }

usable() { [[ -x "$1" ]] && "$1" -c "$modules" 2>/dev/null; }

if [[ -n "${TERRARIUM_HARBOR_PYTHON:-}" ]]; then
  if ! usable "$TERRARIUM_HARBOR_PYTHON"; then
    log "TERRARIUM_HARBOR_PYTHON=$TERRARIUM_HARBOR_PYTHON is not a CPython >= 3.12 with ssl, sqlite3 and ctypes"
    exit 1
  fi
  echo "$TERRARIUM_HARBOR_PYTHON"
  exit 0
fi

if [[ -f "$stamp" ]] && usable "$prefix/bin/python3.13"; then
  echo "$prefix/bin/python3.13"
  exit 0
fi

if [[ -z "${TERRARIUM_HARBOR_BUILD_PYTHON:-}" ]]; then
  candidates=()
  for name in python3.13 python3.12; do
    found="$(command -v "$name" 2>/dev/null)" && candidates+=("$found")
  done
  pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  for dir in "$pyenv_root"/versions/3.13.* "$pyenv_root"/versions/3.12.*; do
    [[ -x "$dir/bin/python3" ]] && candidates+=("$dir/bin/python3")
  done
  for candidate in "${candidates[@]}"; do
    # pyenv's shims answer for versions that are not selected; ask the interpreter itself for its path.
    if usable "$candidate"; then
      "$candidate" -c 'import sys; print(sys.executable)'
      exit 0
    fi
  done
fi

mkdir -p "$cache"
exec 9>"$cache/python-$version.lock"
flock 9
# Another run may have finished the build while this one waited for the lock.
if [[ -f "$stamp" ]] && usable "$prefix/bin/python3.13"; then
  echo "$prefix/bin/python3.13"
  exit 0
fi

log "no CPython >= 3.12 here: building CPython $version into $prefix (once; about ten minutes on 2 cores)"
deps=(build-essential pkg-config libssl-dev libffi-dev zlib1g-dev libsqlite3-dev libbz2-dev liblzma-dev
  libreadline-dev libncurses-dev uuid-dev libexpat1-dev)
missing=()
for dep in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed' || missing+=("$dep")
done
if ((${#missing[@]})); then
  log "installing the build dependencies from apt: ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

work="$(mktemp -d "$cache/python-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [[ -f "$cache/$tarball" ]] && echo "$sha256  $cache/$tarball" | sha256sum -c --status; then
  log "using the downloaded $cache/$tarball"
else
  log "downloading $url"
  curl -fL --retry 3 --progress-bar -o "$work/$tarball" "$url" >&2
  if ! echo "$sha256  $work/$tarball" | sha256sum -c --status; then
    log "$tarball does not match its sha256 $sha256; not building from it"
    exit 1
  fi
  mv "$work/$tarball" "$cache/$tarball"
fi
tar -xJf "$cache/$tarball" -C "$work"
rm -rf "$prefix"
started=$SECONDS
(
  cd "$work/Python-$version"
  log "configure (log: $work/build.log while it runs)"
  ./configure --prefix="$prefix" --with-ensurepip=install >"$work/build.log" 2>&1
  log "make -j$(nproc)"
  make -j"$(nproc)" >>"$work/build.log" 2>&1
  log "make install"
  make install >>"$work/build.log" 2>&1
) || {
  log "the build failed; the last lines of its log:"
  tail -n 40 "$work/build.log" >&2
  rm -rf "$prefix"
  exit 1
}
if ! usable "$prefix/bin/python3.13"; then
  log "the built interpreter lacks a standard module (ssl, sqlite3, ctypes, lzma, bz2 or zlib); see the build log:"
  grep -A20 'necessary bits to build these optional modules\|Failed to build these modules' "$work/build.log" >&2 || true
  rm -rf "$prefix"
  exit 1
fi
echo "CPython $version built in $((SECONDS - started)) s" >"$stamp"
log "built CPython $version in $((SECONDS - started)) s"
echo "$prefix/bin/python3.13"
