#!/usr/bin/env bash
# The Harbor provider's checks: ruff, ruff format --check, mypy --strict, then pytest, which starts a real Terrarium
# server (real Podman, the simulator images `terrarium setup` builds) and runs a real task through `harbor run`.
#
#   bash integrations/harbor/test.sh [PYTEST ARGS...]
#
# Harbor needs Python >= 3.12: ensure-python.sh finds one or builds CPython 3.13 once (about 6 minutes, cached);
# ensure-venv.sh makes .venv-harbor once. The tests start the server from its compiled code and use the simulator
# images: `npm test` builds both before it calls this (alone: `node scripts/prepare.mjs && npm run terrarium setup`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$("$here/ensure-venv.sh")"

cd "$here"
"$venv/bin/ruff" check .
"$venv/bin/ruff" format --check .
"$venv/bin/mypy"
status=0
HARBOR_TELEMETRY=0 "$venv/bin/pytest" "$@" || status=$?
if [[ $status -eq 5 ]]; then
  echo "harbor: pytest collected no test: that is a failure here" >&2
  exit 1
fi
exit "$status"
