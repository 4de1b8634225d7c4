# Tickets and wiki pages of TinyKV: sourced by seed.sh with REPO set.

ticket() { # USER FIELD VALUE ...: files a ticket as USER and prints its id
  local user=$1
  shift
  FOSSIL_USER=$user fossil ticket add "$@" -q -R "$REPO" | sed -n 's/^ticket add succeeded for //p'
}
change() { # USER TICKET FIELD VALUE ...
  local user=$1 id=$2
  shift 2
  FOSSIL_USER=$user fossil ticket change "$id" "$@" -q -R "$REPO" >/dev/null
}

t=$(ticket carol title "tkv get prints nothing for keys written before a restart" type Code_Defect status Open \
  priority High severity Severe subsystem storage foundin 0.1.0 \
  comment "Steps:\n1. tkv db.tkv put a 1\n2. tkv db.tkv get a\n\nExpected 1, got nothing and exit status 1. The log file does contain the record.")
change alice "$t" +icomment "Confirmed: tkv_open never replays the log. tests/test_persist.c reproduces it." status Review

t=$(ticket bob title "Replay the log when opening a database" type Feature_Request status Open priority Immediate \
  severity Important subsystem storage comment "Needed for the persistence test; read records in order, apply puts and deletes, stop at the first bad CRC.")

t=$(ticket alice title "Compaction rewrites the log with live keys only" type Feature_Request status Open priority Medium \
  severity Minor subsystem storage comment "See the Compaction section of docs/format.md. Write to a temporary file, fsync, rename.")

t=$(ticket carol title "Usage message does not mention --version" type Documentation status Open priority Low \
  severity Cosmetic subsystem cli foundin 0.1.0 comment "tkv with no arguments prints the usage without --version.")
change bob "$t" status Fixed resolution Fixed +icomment "Fixed in the check-in 'Usage mentions --version'."

t=$(ticket bob title "Duplicate keys returned after put on an existing key" type Code_Defect status Open priority High \
  severity Severe subsystem core foundin 0.0.1 comment "tkv_put pushed a second entry; tkv_get returned the old value.")
change bob "$t" status Closed resolution Fixed +icomment "tkv_put now replaces the value in place."

t=$(ticket alice title "Build fails with -Wpedantic on clang 17" type Build_Problem status Open priority Medium \
  severity Important subsystem build comment "clang complains about a flexible array in struct entry.")
change alice "$t" status Closed resolution Unable_To_Reproduce +icomment "No flexible array left after the hash-table merge; builds cleanly now."

t=$(ticket carol title "tkv_get(NULL) crashes" type Code_Defect status Open priority Medium severity Critical \
  subsystem core comment "Calling tkv_get with a NULL key dereferences it in the hash function.")
change alice "$t" status Fixed resolution Fixed +icomment "tkv_hash(NULL) returns 0 now; the lookup then misses."

t=$(ticket bob title "Document the on-disk format" type Documentation status Open priority Medium severity Minor \
  subsystem docs comment "Users ask how to read the log from other languages.")
change alice "$t" status Closed resolution Fixed +icomment "docs/format.md describes every field."

t=$(ticket carol title "Windows: tkv cannot open paths with backslashes" type Code_Defect status Open priority Low \
  severity Minor subsystem cli foundin 0.1.0 comment "tkv C:\\\\data\\\\db.tkv get a fails to open the file on MinGW.")

t=$(ticket alice title "Add an iterator over all keys" type Feature_Request status Open priority Low severity Minor \
  subsystem core comment "tkv_each(db, callback, arg) visiting every live key in bucket order.")

t=$(ticket bob title "Check the CRC of each record when replaying" type Feature_Request status Open priority High \
  severity Important subsystem storage comment "docs/format.md promises a crc32 per record; nothing writes or checks it yet.")

t=$(ticket carol title "make test leaves tests/persist.tkv behind on failure" type Build_Problem status Open priority Low \
  severity Cosmetic subsystem build foundin 0.1.0 comment "When test_persist aborts, the remove() at the end never runs.")
change bob "$t" status Review +icomment "Proposal: remove the file in run.sh after each test binary."

t=$(ticket alice title "Memory leak in tkv_delete of the head entry" type Code_Defect status Open priority High \
  severity Severe subsystem core comment "Found with valgrind: the key of the removed head entry was not freed.")
change alice "$t" status Fixed resolution Fixed +icomment "Rewrote tkv_delete with a pointer to the link; frees key, value and entry."

t=$(ticket bob title "Support values larger than 4 GiB" type Feature_Request status Open priority Low severity Minor \
  subsystem storage comment "Lengths are 32 bit in the format. Not planned before 1.0.")
change alice "$t" status Deferred +icomment "Deferred until after 1.0: would change the file format."

# Wiki: the home page (named after the project) and the pages it links to.
page() { # USER NAME, markdown on stdin
  local file
  file=$(mktemp)
  cat >"$file"
  FOSSIL_USER=$1 fossil wiki create "$2" "$file" --mimetype text/x-markdown -R "$REPO" >/dev/null
  rm -f "$file"
}

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

page bob Architecture <<'EOF'
# Architecture

* `src/tinykv.c`: the store. 256 buckets of singly linked entries, hashed with FNV-1a
  (`src/hash.c`). Every change is appended to the log before it is applied in memory.
* `src/cli.c`: the `tkv` tool, a thin wrapper over the library.
* `docs/format.md`: the log format, one record per put or delete.

Opening a database replays the log; compaction rewrites it with live keys only.
EOF

page bob Contributing <<'EOF'
# Contributing

1. File a ticket first for anything larger than a typo.
2. Keep check-ins small, one change each, with `make test` passing.
3. C99, four-space-free style: two spaces, braces on the same line.
4. Update CHANGELOG.md under "Unreleased".

Developers with check-in rights: alice, bob. Ask admin for an account.
EOF

page alice FAQ <<'EOF'
# FAQ

**Is TinyKV thread-safe?** No. Use one handle per thread or a lock around calls.

**Can two processes open the same file?** Not safely before 1.0.

**How large can values be?** Up to 4 GiB each: lengths are 32 bit in the log.
EOF

page alice "Release Process" <<'EOF'
# Release Process

1. Move "Unreleased" in CHANGELOG.md to the new version with today's date.
2. Check in with the tag `vX.Y.Z`.
3. Announce on the forum.
EOF
