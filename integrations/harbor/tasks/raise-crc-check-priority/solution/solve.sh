#!/bin/bash
# The reference solution: find the ticket by its title, then set its priority with Fossil's own command (which
# records the change on the timeline as a web edit would).
set -euo pipefail

repository=/data/project.fossil
title='Check the CRC of each record when replaying'
uuid="$(sqlite3 "$repository" "SELECT tkt_uuid FROM ticket WHERE title = '$title'")"
if [[ -z "$uuid" ]]; then
  echo "no ticket titled \"$title\"" >&2
  exit 1
fi
fossil ticket set "$uuid" priority Immediate -R "$repository"
