#!/usr/bin/env bash
# Makes (once) the virtual environment of the Harbor provider, .venv-harbor at the repository's root, and prints
# its path: Harbor 0.26.0 from PyPI, the Python SDK (sdks/python) and this package (integrations/harbor), both
# editable, with the dev tools. It is made again only when the interpreter or either pyproject.toml changed.
#
#   integrations/harbor/ensure-venv.sh     (the interpreter: ensure-python.sh's)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv-harbor"
harbor_version=0.26.0

python="$("$here/ensure-python.sh")"
stamp="$("$python" -c 'import sys; print(sys.executable, sys.version)' | sha256sum | cut -c1-16)"
stamp="$stamp-$harbor_version-$(cat "$here/pyproject.toml" "$root/sdks/python/pyproject.toml" | sha256sum | cut -c1-16)"
if [[ ! -x "$venv/bin/python" ]] || [[ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "ensure-venv: making $venv (harbor $harbor_version from PyPI, terrarium-sdk and terrarium-harbor editable)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  pip=("$venv/bin/python" -m pip --disable-pip-version-check)
  "${pip[@]}" install --quiet --upgrade pip >&2
  # The SDK first: it is not on PyPI, and terrarium-harbor depends on it.
  "${pip[@]}" install --quiet -e "$root/sdks/python" >&2
  "${pip[@]}" install --quiet -e "$here[dev]" "harbor==$harbor_version" >&2
  echo "$stamp" >"$venv/.stamp"
fi
echo "$venv"
