#!/bin/bash
# The verifier: reads the ticket tracker's database and writes the reward (1 or 0) to /logs/verifier/reward.txt.
# The ticket must have priority Immediate and its other fields as seeded; the other tickets must be as seeded.
set -uo pipefail

repository=/data/project.fossil
title='Check the CRC of each record when replaying'
query() { sqlite3 -separator '|' "$repository" "$1"; }
failures=0
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    echo "ok: $1"
  else
    echo "FAILED: $1: expected [$2], found [$3]"
    failures=$((failures + 1))
  fi
}

check "one ticket has the title" 1 "$(query "SELECT count(*) FROM ticket WHERE title = '$title'")"
check "its priority is Immediate" Immediate "$(query "SELECT priority FROM ticket WHERE title = '$title'")"
check "its other fields are as they were" "Open|Feature_Request|Important|storage" \
  "$(query "SELECT status, type, severity, subsystem FROM ticket WHERE title = '$title'")"
check "its comment is as it was" \
  "docs/format.md promises a crc32 per record; nothing writes or checks it yet." \
  "$(query "SELECT comment FROM ticket WHERE title = '$title'")"
# The seed's other tickets (by title: their ids are random at each build of the image), status and priority.
check "no other ticket changed" "$(sort <<'SEED'
Build fails with -Wpedantic on clang 17|Closed|Medium
tkv get prints nothing for keys written before a restart|Review|High
Add an iterator over all keys|Open|Low
Support values larger than 4 GiB|Deferred|Low
make test leaves tests/persist.tkv behind on failure|Review|Low
Replay the log when opening a database|Open|Immediate
Memory leak in tkv_delete of the head entry|Fixed|High
Usage message does not mention --version|Fixed|Low
Windows: tkv cannot open paths with backslashes|Open|Low
Compaction rewrites the log with live keys only|Open|Medium
Document the on-disk format|Closed|Medium
tkv_get(NULL) crashes|Fixed|Medium
Duplicate keys returned after put on an existing key|Closed|High
SEED
)" "$(query "SELECT title, status, priority FROM ticket WHERE title <> '$title'" | sort)"

mkdir -p /logs/verifier
if ((failures == 0)); then echo 1 >/logs/verifier/reward.txt; else echo 0 >/logs/verifier/reward.txt; fi
echo "reward: $(cat /logs/verifier/reward.txt)"
