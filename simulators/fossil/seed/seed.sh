#!/bin/bash
# Builds /data/project.fossil: the TinyKV project with a real history, tickets, wiki pages and users.
# Runs once, at image build time; the result is the state every environment starts from.
# DATASET (simulator.yaml's datasets, a build argument): base, or blank (an empty repository: no
# tickets, no wiki pages, admin the only account).
set -euo pipefail
DATASET=${DATASET:-base}
case "$DATASET" in
  base | blank) ;;
  *) echo "seed.sh: unknown dataset \"$DATASET\"; the datasets are base and blank" >&2 && exit 1 ;;
esac

REPO=/data/project.fossil
SEED=$(dirname "$(readlink -f "$0")")
export FOSSIL_HOME=/root TZ=UTC FOSSIL_USER=admin
mkdir -p /data
fossil init --admin-user admin --date-override "2025-01-06 09:00:00" "$REPO" >/dev/null

# Accounts (documented in simulator.yaml and README.md).
fossil user password admin terrarium-admin -R "$REPO"
if [ "$DATASET" = base ]; then
  fossil user new alice alice@tinykv.example alice-password -R "$REPO" >/dev/null
  fossil user new bob bob@tinykv.example bob-password -R "$REPO" >/dev/null
  fossil user new carol carol@tinykv.example carol-password -R "$REPO" >/dev/null
  fossil user capabilities alice "efijkmnortwz" -R "$REPO" >/dev/null # developer: check in, tickets, wiki
  fossil user capabilities bob "efijkmnortwz" -R "$REPO" >/dev/null
  fossil user capabilities carol "ghjnorz" -R "$REPO" >/dev/null # reporter: read, file and comment tickets
fi
fossil user capabilities anonymous "hjorz" -R "$REPO" >/dev/null
fossil user capabilities nobody "gjorz" -R "$REPO" >/dev/null # visitors read code, wiki and tickets

config() { fossil sql -R "$REPO" "REPLACE INTO config(name, value, mtime) VALUES('$1', '$2', now())" >/dev/null; }
config project-name "TinyKV"
config project-description "An embeddable key-value store in C"
config index-page "/home"

if [ "$DATASET" = base ]; then
  # History: every check-in with its author and date.
  ci() { # USER DATE MESSAGE
    fossil addremove >/dev/null
    fossil commit --no-warnings --user-override "$1" --date-override "$2" -m "$3" >/dev/null
  }
  ci_branch() { # NAME USER DATE MESSAGE, edits on stdin
    bash -euo pipefail
    fossil addremove >/dev/null
    fossil commit --no-warnings --branch "$1" --user-override "$2" --date-override "$3" -m "$4" >/dev/null
  }
  ci_tag() { # TAG USER DATE MESSAGE
    fossil addremove >/dev/null
    fossil commit --no-warnings --tag "$1" --user-override "$2" --date-override "$3" -m "$4" >/dev/null
  }
  work=$(mktemp -d)
  cd "$work"
  fossil open "$REPO" >/dev/null
  fossil settings autosync off
  # shellcheck source=history.sh
  source "$SEED/history.sh"
  fossil close
  cd /
  rm -rf "$work"

  # Tickets and wiki pages, filed by the people who would have.
  # shellcheck source=tracker.sh
  source "$SEED/tracker.sh"
fi

# Rollback journal, not WAL: a fossil command run as root inside the environment must not leave
# root-owned -wal/-shm files the server's user cannot open.
fossil sql -R "$REPO" 'PRAGMA journal_mode' | grep -qx "'delete'"
# fossil commands run inside the environment (by an agent, as root) act as admin unless told otherwise.
fossil user default admin -R "$REPO"
fossil rebuild "$REPO" >/dev/null
