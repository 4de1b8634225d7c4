#!/usr/bin/env bash
# Plato's own Python SDK (plato-sdk-v2, pinned) and Python Playwright, in a virtual environment cached
# under the repository, for test/plato-sdk.test.ts:
#
#   test/plato/ensure-venv.sh [requirements.txt | requirements-2.8.txt]
#
# requirements.txt (the newest plato-sdk-v2) makes .venv-plato; requirements-<suffix>.txt makes
# .venv-plato-<suffix>. A venv is made again only when it is missing or its requirements or interpreter
# changed; otherwise this is a no-op. Plato's SDK needs Python >=3.11,<3.14 (its 2.8 series >=3.10):
# PLATO_PYTHON picks one (default the first of python3.11, 3.12, 3.13, python3 that fits).
# Prints the venv's python on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
file="${1:-requirements.txt}"
requirements="$here/$file"
if [[ ! -f "$requirements" ]]; then
  echo "ensure-venv: no $requirements; give requirements.txt or requirements-<suffix>.txt of $here" >&2
  exit 1
fi
suffix="${file#requirements}"
suffix="${suffix%.txt}"
venv="$root/.venv-plato$suffix"

python="${PLATO_PYTHON:-}"
if [[ -z "$python" ]]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info < (3, 14)))' 2>/dev/null; then
      python="$candidate"
      break
    fi
  done
fi
if [[ -z "$python" ]]; then
  echo "ensure-venv: Plato's SDK needs Python 3.11 to 3.13 and none is on PATH; install python3.11 (Debian 12: apt-get install python3.11-venv) or set PLATO_PYTHON" >&2
  exit 1
fi

stamp="$("$python" -c 'import sys; print(sys.version)' | sha256sum | cut -c1-16)-$(sha256sum "$requirements" | cut -c1-16)"
if [[ ! -x "$venv/bin/python" ]] || [[ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "ensure-venv: making $venv from $requirements with $python" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  # No browser download: the script drives Debian's Chromium (/usr/bin/chromium).
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  echo "$stamp" >"$venv/.stamp"
fi
echo "$venv/bin/python"
