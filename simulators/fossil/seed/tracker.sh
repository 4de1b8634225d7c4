# Tickets and wiki pages of TinyKV: sourced by seed.sh with REPO set.

# Tickets and pages carry the dates they would have had: fossil runs under faketime at $WHEN.
WHEN="2025-01-06 09:00:00"
when() { WHEN=$1; }
at() { FOSSIL_USER=$1 faketime -f "@$WHEN" "${@:2}"; }

ticket() { # USER FIELD VALUE ...: files a ticket as USER and prints its id
  local user=$1
  shift
  at "$user" fossil ticket add "$@" -q -R "$REPO" | sed -n 's/^ticket add succeeded for //p'
}
change() { # USER TICKET FIELD VALUE ...
  local user=$1 id=$2
  shift 2
  at "$user" fossil ticket change "$id" "$@" -q -R "$REPO" >/dev/null
}

when "2025-03-25 09:10:00"
t=$(ticket carol title "tkv get prints nothing for keys written before a restart" type Code_Defect status Open \
  priority High severity Severe subsystem storage foundin 0.1.0 \
  comment "Steps:\n1. tkv db.tkv put a 1\n2. tkv db.tkv get a\n\nExpected 1, got nothing and exit status 1. The log file does contain the record.")
when "2025-03-25 11:30:00"
change alice "$t" +icomment "Confirmed: tkv_open never replays the log. tests/test_persist.c reproduces it." status Review

when "2025-03-25 12:00:00"
t=$(ticket bob title "Replay the log when opening a database" type Feature_Request status Open priority Immediate \
  severity Important subsystem storage comment "Needed for the persistence test; read records in order, apply puts and deletes, stop at the first bad CRC.")

when "2025-03-14 17:00:00"
t=$(ticket alice title "Compaction rewrites the log with live keys only" type Feature_Request status Open priority Medium \
  severity Minor subsystem storage comment "See the Compaction section of docs/format.md. Write to a temporary file, fsync, rename.")

when "2025-03-06 08:40:00"
t=$(ticket carol title "Usage message does not mention --version" type Documentation status Open priority Low \
  severity Cosmetic subsystem cli foundin 0.1.0 comment "tkv with no arguments prints the usage without --version.")
when "2025-04-07 11:35:00"
change bob "$t" status Fixed resolution Fixed +icomment "Fixed in the check-in 'Usage mentions --version'."

when "2025-01-10 09:00:00"
t=$(ticket bob title "Duplicate keys returned after put on an existing key" type Code_Defect status Open priority High \
  severity Severe subsystem core foundin 0.0.1 comment "tkv_put pushed a second entry; tkv_get returned the old value.")
when "2025-01-10 11:50:00"
change bob "$t" status Closed resolution Fixed +icomment "tkv_put now replaces the value in place."

when "2025-03-10 09:30:00"
t=$(ticket alice title "Build fails with -Wpedantic on clang 17" type Build_Problem status Open priority Medium \
  severity Important subsystem build comment "clang complains about a flexible array in struct entry.")
when "2025-03-11 10:00:00"
change alice "$t" status Closed resolution Unable_To_Reproduce +icomment "No flexible array left after the hash-table merge; builds cleanly now."

when "2025-04-10 16:20:00"
t=$(ticket carol title "tkv_get(NULL) crashes" type Code_Defect status Open priority Medium severity Critical \
  subsystem core comment "Calling tkv_get with a NULL key dereferences it in the hash function.")
when "2025-04-14 14:05:00"
change alice "$t" status Fixed resolution Fixed +icomment "tkv_hash(NULL) returns 0 now; the lookup then misses."

when "2025-01-22 10:00:00"
t=$(ticket bob title "Document the on-disk format" type Documentation status Open priority Medium severity Minor \
  subsystem docs comment "Users ask how to read the log from other languages.")
when "2025-01-27 13:20:00"
change alice "$t" status Closed resolution Fixed +icomment "docs/format.md describes every field."

when "2025-04-02 19:45:00"
t=$(ticket carol title "Windows: tkv cannot open paths with backslashes" type Code_Defect status Open priority Low \
  severity Minor subsystem cli foundin 0.1.0 comment "tkv C:\\\\data\\\\db.tkv get a fails to open the file on MinGW.")

when "2025-04-04 10:15:00"
t=$(ticket alice title "Add an iterator over all keys" type Feature_Request status Open priority Low severity Minor \
  subsystem core comment "tkv_each(db, callback, arg) visiting every live key in bucket order.")

when "2025-03-27 15:00:00"
t=$(ticket bob title "Check the CRC of each record when replaying" type Feature_Request status Open priority High \
  severity Important subsystem storage comment "docs/format.md promises a crc32 per record; nothing writes or checks it yet.")

when "2025-04-09 12:30:00"
t=$(ticket carol title "make test leaves tests/persist.tkv behind on failure" type Build_Problem status Open priority Low \
  severity Cosmetic subsystem build foundin 0.1.0 comment "When test_persist aborts, the remove() at the end never runs.")
when "2025-04-10 09:00:00"
change bob "$t" status Review +icomment "Proposal: remove the file in run.sh after each test binary."

when "2025-01-15 16:00:00"
t=$(ticket alice title "Memory leak in tkv_delete of the head entry" type Code_Defect status Open priority High \
  severity Severe subsystem core comment "Found with valgrind: the key of the removed head entry was not freed.")
when "2025-01-15 16:30:00"
change alice "$t" status Fixed resolution Fixed +icomment "Rewrote tkv_delete with a pointer to the link; frees key, value and entry."

when "2025-04-12 18:00:00"
t=$(ticket bob title "Support values larger than 4 GiB" type Feature_Request status Open priority Low severity Minor \
  subsystem storage comment "Lengths are 32 bit in the format. Not planned before 1.0.")
when "2025-04-13 10:00:00"
change alice "$t" status Deferred +icomment "Deferred until after 1.0: would change the file format."

# Wiki: the home page (named after the project) and the pages it links to.
page() { # USER NAME, markdown on stdin
  local file
  file=$(mktemp)
  cat >"$file"
  at "$1" fossil wiki create "$2" "$file" --mimetype text/x-markdown -R "$REPO" >/dev/null
  rm -f "$file"
}

when "2025-02-28 17:30:00"
page alice TinyKV <<'EOF'
# TinyKV

An embeddable key-value store in C99: an in-memory hash table persisted to an
append-only log.

* [Roadmap](/wiki?name=Roadmap): what is planned for 0.2 and 1.0
* [Architecture](/wiki?name=Architecture): how the store is put together
* [Contributing](/wiki?name=Contributing): how to send changes
* [FAQ](/wiki?name=FAQ)
* [Release Process](/wiki?name=Release+Process)

Latest release: **0.1.0** (2025-02-28). Report bugs in the [tickets](/reportlist).
EOF

when "2025-03-03 10:00:00"
page alice Roadmap <<'EOF'
# Roadmap

## 0.2
* Replay the log on open (persistence across restarts)
* CRC32 per record, checked on replay
* Compaction

## 1.0
* Stable file format and API
* Iterator over keys
* Windows support in the tool
EOF

when "2025-02-25 11:00:00"
page bob Architecture <<'EOF'
# Architecture

* `src/tinykv.c`: the store. 256 buckets of singly linked entries, hashed with FNV-1a
  (`src/hash.c`). Every change is appended to the log before it is applied in memory.
* `src/cli.c`: the `tkv` tool, a thin wrapper over the library.
* `docs/format.md`: the log format, one record per put or delete.

Opening a database replays the log; compaction rewrites it with live keys only.
EOF

when "2025-02-10 10:00:00"
page bob Contributing <<'EOF'
# Contributing

1. File a ticket first for anything larger than a typo.
2. Keep check-ins small, one change each, with `make test` passing.
3. C99, four-space-free style: two spaces, braces on the same line.
4. Update CHANGELOG.md under "Unreleased".

Developers with check-in rights: alice, bob. Ask admin for an account.
EOF

when "2025-03-20 16:00:00"
page alice FAQ <<'EOF'
# FAQ

**Is TinyKV thread-safe?** No. Use one handle per thread or a lock around calls.

**Can two processes open the same file?** Not safely before 1.0.

**How large can values be?** Up to 4 GiB each: lengths are 32 bit in the log.
EOF

when "2025-02-27 09:00:00"
page alice "Release Process" <<'EOF'
# Release Process

1. Move "Unreleased" in CHANGELOG.md to the new version with today's date.
2. Check in with the tag `vX.Y.Z`.
3. Announce on the forum.
EOF
