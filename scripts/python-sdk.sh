#!/usr/bin/env bash
# The Python SDK's checks, in a virtual environment cached under the repository (.venv-python):
#
#   scripts/python-sdk.sh [test] [PYTEST ARGS...]   ruff, mypy --strict, then pytest against a real server
#   scripts/python-sdk.sh wire                      regenerate sdks/python/src/terrarium/_wire.py from a server
#
# The environment is made with TERRARIUM_PYTHON (default python3; the SDK runs on 3.10 or later, its dev tools,
# datamodel-code-generator among them, need 3.11 or later) and reinstalled from PyPI
# only when sdks/python/pyproject.toml or the interpreter changed. The tests start their own server (real
# Podman, the simulator images `terrarium setup` builds), so run `npm test` or `terrarium setup` once first.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sdk="$root/sdks/python"
venv="$root/.venv-python"
python="${TERRARIUM_PYTHON:-python3}"
mode=test
if [[ "${1:-}" == "test" || "${1:-}" == "wire" ]]; then
  mode="$1"
  shift
fi

if ! command -v "$python" >/dev/null; then
  echo "python-sdk: no $python here; install Python 3.11 or later, or set TERRARIUM_PYTHON to one" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "python-sdk: the SDK's dev tools need Python 3.11 or later; $python is $("$python" -V 2>&1) (set TERRARIUM_PYTHON)" >&2
  exit 1
fi

# What the cached environment was made from: the interpreter and the package's declared dependencies.
stamp="$("$python" -c 'import sys; print(sys.version)' | sha256sum | cut -c1-16)-$(sha256sum "$sdk/pyproject.toml" | cut -c1-16)"
if [[ ! -x "$venv/bin/python" ]] || [[ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "python-sdk: making $venv (terrarium-sdk, editable, with its dev tools from PyPI)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$sdk[dev]"
  echo "$stamp" >"$venv/.stamp"
fi

# The tests import the server's compiled code; make sure it is current (cheap when nothing changed).
node "$root/scripts/prepare.mjs"

cd "$sdk"
case "$mode" in
  test)
    "$venv/bin/ruff" check .
    "$venv/bin/ruff" format --check .
    "$venv/bin/mypy"
    status=0
    "$venv/bin/pytest" "$@" || status=$?
    if [[ $status -eq 5 ]]; then
      echo "python-sdk: pytest collected no test: that is a failure here" >&2
      exit 1
    fi
    exit "$status"
    ;;
  wire)
    # A test server's document: the server as this checkout builds it.
    coproc SERVER { exec node "$sdk/tests/server.mjs"; }
    read -r line <&"${SERVER[0]}"
    url="$("$venv/bin/python" -c 'import json, sys; print(json.loads(sys.argv[1])["url"])' "$line")"
    status=0
    "$venv/bin/python" scripts/generate_wire.py "$url/openapi.json" || status=$?
    # Closing its standard input stops the server.
    server_pid=$SERVER_PID server_in=${SERVER[1]}
    exec {server_in}>&-
    wait "$server_pid" || true
    [[ $status -eq 0 ]] && echo "python-sdk: wrote sdks/python/src/terrarium/_wire.py from $url/openapi.json"
    exit "$status"
    ;;
esac
