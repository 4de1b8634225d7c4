# The history of TinyKV, an embeddable key-value store in C: sourced by seed.sh inside an open check-out.
# Each step edits files, then `ci USER DATE MESSAGE` records a check-in.

cat > README.md <<'EOF'
# TinyKV

TinyKV is a small embeddable key-value store written in C99. It keeps an
in-memory hash table and persists it to a single append-only log file.
EOF
cat > LICENSE <<'EOF'
Copyright (c) 2025 The TinyKV authors

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
EOF
ci alice "2025-01-06 09:12:00" "Initial import: README and license"

mkdir -p src
cat > src/tinykv.h <<'EOF'
#ifndef TINYKV_H
#define TINYKV_H

#include <stddef.h>

typedef struct tkv_db tkv_db;

tkv_db *tkv_open(const char *path);
void tkv_close(tkv_db *db);
int tkv_put(tkv_db *db, const char *key, const char *value);
const char *tkv_get(tkv_db *db, const char *key);

#endif
EOF
cat > src/tinykv.c <<'EOF'
#include <stdlib.h>
#include <string.h>
#include "tinykv.h"

struct entry {
  char *key;
  char *value;
  struct entry *next;
};

struct tkv_db {
  struct entry *head;
};

tkv_db *tkv_open(const char *path) {
  (void)path;
  return calloc(1, sizeof(tkv_db));
}

void tkv_close(tkv_db *db) {
  struct entry *e = db->head;
  while (e) {
    struct entry *next = e->next;
    free(e->key);
    free(e->value);
    free(e);
    e = next;
  }
  free(db);
}

int tkv_put(tkv_db *db, const char *key, const char *value) {
  struct entry *e = malloc(sizeof *e);
  if (!e) return -1;
  e->key = strdup(key);
  e->value = strdup(value);
  e->next = db->head;
  db->head = e;
  return 0;
}

const char *tkv_get(tkv_db *db, const char *key) {
  for (struct entry *e = db->head; e; e = e->next)
    if (strcmp(e->key, key) == 0) return e->value;
  return NULL;
}
EOF
ci alice "2025-01-06 16:40:00" "First cut of the store: a linked list of entries behind tkv_put/tkv_get"

cat > Makefile <<'EOF'
CC ?= cc
CFLAGS ?= -std=c99 -Wall -Wextra -O2

libtinykv.a: src/tinykv.o
	ar rcs $@ $^

clean:
	rm -f src/*.o libtinykv.a
EOF
ci alice "2025-01-07 10:05:00" "Add a Makefile that builds libtinykv.a"

mkdir -p tests
cat > tests/test_basic.c <<'EOF'
#include <assert.h>
#include <string.h>
#include "../src/tinykv.h"

int main(void) {
  tkv_db *db = tkv_open(NULL);
  assert(tkv_put(db, "name", "tinykv") == 0);
  assert(strcmp(tkv_get(db, "name"), "tinykv") == 0);
  assert(tkv_get(db, "missing") == NULL);
  tkv_close(db);
  return 0;
}
EOF
cat >> Makefile <<'EOF'

test: libtinykv.a
	$(CC) $(CFLAGS) -o tests/test_basic tests/test_basic.c libtinykv.a
	./tests/test_basic
EOF
ci bob "2025-01-09 14:22:00" "Add a first test and a make test target"

sed -i 's/int tkv_put(tkv_db \*db, const char \*key, const char \*value) {/int tkv_put(tkv_db *db, const char *key, const char *value) {\n  for (struct entry *e = db->head; e; e = e->next) {\n    if (strcmp(e->key, key) == 0) {\n      char *copy = strdup(value);\n      if (!copy) return -1;\n      free(e->value);\n      e->value = copy;\n      return 0;\n    }\n  }/' src/tinykv.c
ci bob "2025-01-10 11:48:00" "tkv_put replaces the value of an existing key instead of shadowing it"

cat > src/hash.c <<'EOF'
#include <stdint.h>
#include <stddef.h>

/* FNV-1a, 32 bit: small, fast and good enough for short keys. */
uint32_t tkv_hash(const char *key) {
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
    h ^= *p;
    h *= 16777619u;
  }
  return h;
}
EOF
sed -i 's#^libtinykv.a: src/tinykv.o#libtinykv.a: src/tinykv.o src/hash.o#' Makefile
ci alice "2025-01-14 09:30:00" "Add FNV-1a hashing in src/hash.c"

cat >> src/tinykv.h <<'EOF'

/* Removes a key; returns 0 when it existed, 1 when it did not. */
int tkv_delete(tkv_db *db, const char *key);
EOF
cat >> src/tinykv.c <<'EOF'

int tkv_delete(tkv_db *db, const char *key) {
  for (struct entry **link = &db->head; *link; link = &(*link)->next) {
    struct entry *e = *link;
    if (strcmp(e->key, key) == 0) {
      *link = e->next;
      free(e->key);
      free(e->value);
      free(e);
      return 0;
    }
  }
  return 1;
}
EOF
ci alice "2025-01-15 15:10:00" "Add tkv_delete"

sed -i 's#  tkv_close(db);#  assert(tkv_delete(db, "name") == 0);\n  assert(tkv_get(db, "name") == NULL);\n  assert(tkv_delete(db, "name") == 1);\n  tkv_close(db);#' tests/test_basic.c
ci bob "2025-01-16 10:02:00" "Test tkv_delete, including deleting twice"

cat > CHANGELOG.md <<'EOF'
# Changelog

## Unreleased
- In-memory store with put, get and delete.
EOF
ci alice "2025-01-20 17:45:00" "Start a changelog"

mkdir -p docs
cat > docs/format.md <<'EOF'
# On-disk format

A TinyKV database is one append-only log file. Each record is:

| field | size | meaning |
|---|---|---|
| magic | 2 bytes | `0x7B 0x4B` |
| op | 1 byte | `P` put, `D` delete |
| key length | 4 bytes, little endian | |
| value length | 4 bytes, little endian | 0 for deletes |
| key | key length bytes | |
| value | value length bytes | |
| crc32 | 4 bytes | over op, lengths, key and value |

Opening a database replays the log from the start.
EOF
ci alice "2025-01-27 13:15:00" "Document the append-only log format"

cat >> src/tinykv.c <<'EOF'

/* Appends one record to the log; see docs/format.md. */
static int append_record(FILE *log, char op, const char *key, const char *value) {
  uint32_t klen = (uint32_t)strlen(key);
  uint32_t vlen = value ? (uint32_t)strlen(value) : 0;
  unsigned char header[11] = {0x7B, 0x4B, (unsigned char)op};
  memcpy(header + 3, &klen, 4);
  memcpy(header + 7, &vlen, 4);
  if (fwrite(header, 1, sizeof header, log) != sizeof header) return -1;
  if (fwrite(key, 1, klen, log) != klen) return -1;
  if (vlen && fwrite(value, 1, vlen, log) != vlen) return -1;
  return fflush(log);
}
EOF
sed -i 's/#include <string.h>/#include <stdint.h>\n#include <stdio.h>\n#include <string.h>/' src/tinykv.c
ci alice "2025-02-03 10:40:00" "Write put and delete records to the log file"

sed -i 's/^  struct entry \*head;$/  struct entry *head;\n  FILE *log;/' src/tinykv.c
sed -i 's/^  return calloc(1, sizeof(tkv_db));$/  tkv_db *db = calloc(1, sizeof(tkv_db));\n  if (db \&\& path) db->log = fopen(path, "ab+");\n  return db;/' src/tinykv.c
sed -i '/^  (void)path;$/d' src/tinykv.c
ci bob "2025-02-04 09:55:00" "tkv_open opens (or creates) the log file"

cat > tests/run.sh <<'EOF'
#!/bin/sh
# Runs every test binary under tests/ and reports a summary.
set -e
failed=0
for t in tests/test_*; do
  case "$t" in *.c) continue ;; esac
  if "$t"; then echo "ok   $t"; else echo "FAIL $t"; failed=$((failed + 1)); fi
done
echo "$failed failed"
exit "$failed"
EOF
chmod +x tests/run.sh
ci bob "2025-02-06 16:20:00" "Add tests/run.sh to run every test binary"

cat >> CHANGELOG.md <<'EOF'
- Persistence to an append-only log (docs/format.md).
EOF
ci alice "2025-02-07 11:00:00" "Changelog: persistence"

mkdir -p src
cat > src/cli.c <<'EOF'
#include <stdio.h>
#include <string.h>
#include "tinykv.h"

static int usage(void) {
  fprintf(stderr, "usage: tkv DB (get KEY | put KEY VALUE | del KEY)\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 4) return usage();
  tkv_db *db = tkv_open(argv[1]);
  if (!db) {
    perror(argv[1]);
    return 1;
  }
  int rc = 0;
  if (strcmp(argv[2], "get") == 0) {
    const char *v = tkv_get(db, argv[3]);
    if (v) puts(v); else rc = 1;
  } else if (strcmp(argv[2], "put") == 0 && argc == 5) {
    rc = tkv_put(db, argv[3], argv[4]) ? 1 : 0;
  } else if (strcmp(argv[2], "del") == 0) {
    rc = tkv_delete(db, argv[3]);
  } else {
    rc = usage();
  }
  tkv_close(db);
  return rc;
}
EOF
cat >> Makefile <<'EOF'

tkv: src/cli.c libtinykv.a
	$(CC) $(CFLAGS) -o $@ src/cli.c libtinykv.a
EOF
ci bob "2025-02-12 14:35:00" "Add the tkv command-line tool"

cat > docs/cli.md <<'EOF'
# The tkv command

    tkv DB get KEY          print the value of KEY (exit 1 when missing)
    tkv DB put KEY VALUE    set KEY to VALUE
    tkv DB del KEY          delete KEY (exit 1 when missing)
EOF
ci bob "2025-02-13 10:10:00" "Document the tkv command"

cat >> README.md <<'EOF'

## Building

    make            # libtinykv.a
    make tkv        # the command-line tool
    make test       # build and run the tests

See docs/format.md for the file format and docs/cli.md for the tool.
EOF
ci alice "2025-02-14 09:00:00" "README: how to build and test"

# A branch that replaces the linked list with a hash table, merged back later.
ci_branch hash-table alice "2025-02-18 10:30:00" "Start the hash-table branch: bucket array sized from a power of two" <<'EOF'
sed -i 's/^struct tkv_db {$/#define TKV_BUCKETS 256\n\nuint32_t tkv_hash(const char *key);\n\nstruct tkv_db {/' src/tinykv.c
sed -i 's/^  struct entry \*head;$/  struct entry *buckets[TKV_BUCKETS];\n  struct entry *head; \/* kept until every function uses buckets *\//' src/tinykv.c
EOF

sed -i 's/^  for (struct entry \*e = db->head; e; e = e->next)$/  for (struct entry *e = db->buckets[tkv_hash(key) % TKV_BUCKETS]; e; e = e->next)/' src/tinykv.c
ci alice "2025-02-19 11:15:00" "tkv_get looks in the key's bucket only"

cat > tests/test_many.c <<'EOF'
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include "../src/tinykv.h"

/* Puts and reads back ten thousand keys: exercises every bucket. */
int main(void) {
  tkv_db *db = tkv_open(NULL);
  char key[32], value[32];
  for (int i = 0; i < 10000; i++) {
    snprintf(key, sizeof key, "key-%d", i);
    snprintf(value, sizeof value, "value-%d", i);
    assert(tkv_put(db, key, value) == 0);
  }
  for (int i = 0; i < 10000; i++) {
    snprintf(key, sizeof key, "key-%d", i);
    snprintf(value, sizeof value, "value-%d", i);
    assert(strcmp(tkv_get(db, key), value) == 0);
  }
  tkv_close(db);
  return 0;
}
EOF
ci bob "2025-02-20 15:40:00" "Add a test with ten thousand keys"

sed -i 's#^/\* FNV-1a, 32 bit: small, fast and good enough for short keys. \*/#/* FNV-1a, 32 bit: small, fast and good enough for short keys.\n * Keys are hashed byte by byte, so embedded UTF-8 is fine. */#' src/hash.c
ci alice "2025-02-21 09:20:00" "hash.c: note on UTF-8 keys"

fossil update trunk >/dev/null
fossil merge hash-table >/dev/null
ci alice "2025-02-24 10:00:00" "Merge the hash-table branch into trunk"

cat >> CHANGELOG.md <<'EOF'
- Keys live in a 256-bucket hash table (FNV-1a).
EOF
ci alice "2025-02-24 10:30:00" "Changelog: hash table"

sed -i 's/^## Unreleased$/## 0.1.0 (2025-02-28)/' CHANGELOG.md
ci_tag v0.1.0 alice "2025-02-28 17:00:00" "Release 0.1.0"

sed -i '1a\\n## Unreleased' CHANGELOG.md
ci alice "2025-03-03 09:05:00" "Open the changelog for the next release"

sed -i 's/  if (argc < 4) return usage();/  if (argc < 3) return usage();\n  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[2], "--version") == 0) {\n    puts("tkv 0.1.0");\n    return 0;\n  }\n  if (argc < 4) return usage();/' src/cli.c
ci bob "2025-03-05 14:12:00" "tkv --version"

cat >> tests/run.sh <<'EOF'
# Exit status is the number of failed tests (0 when all passed).
EOF
ci bob "2025-03-06 10:45:00" "run.sh: say what the exit status means"

sed -i 's/^CFLAGS ?= -std=c99 -Wall -Wextra -O2$/CFLAGS ?= -std=c99 -Wall -Wextra -Wpedantic -O2/' Makefile
ci alice "2025-03-10 08:50:00" "Build with -Wpedantic"

cat >> docs/format.md <<'EOF'

## Compaction

Deleted and overwritten records stay in the log until compaction rewrites
it with one put record per live key, into a temporary file that replaces
the log with rename(2), so a crash never leaves a half-written database.
EOF
ci alice "2025-03-14 16:30:00" "Document compaction"

cat >> src/tinykv.h <<'EOF'

/* Rewrites the log with only the live keys. Returns 0 on success. */
int tkv_compact(tkv_db *db);
EOF
ci alice "2025-03-17 11:25:00" "Declare tkv_compact"

cat >> src/tinykv.c <<'EOF'

int tkv_compact(tkv_db *db) {
  if (!db->log) return 0;
  /* Written in full in the compaction branch; a no-op for in-memory databases. */
  return -1;
}
EOF
ci alice "2025-03-18 10:00:00" "tkv_compact stub for in-memory databases"

sed -i 's/^## Unreleased$/## Unreleased\n- tkv --version.\n- Builds cleanly with -Wpedantic./' CHANGELOG.md
ci bob "2025-03-20 15:55:00" "Changelog: --version and -Wpedantic"

cat > tests/test_persist.c <<'EOF'
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include "../src/tinykv.h"

/* A value written by one handle is read back by the next one. */
int main(void) {
  const char *path = "tests/persist.tkv";
  remove(path);
  tkv_db *db = tkv_open(path);
  assert(tkv_put(db, "answer", "42") == 0);
  tkv_close(db);
  db = tkv_open(path);
  assert(tkv_get(db, "answer") && strcmp(tkv_get(db, "answer"), "42") == 0);
  tkv_close(db);
  remove(path);
  return 0;
}
EOF
ci bob "2025-03-24 13:40:00" "Add a persistence test (fails until replay lands: see ticket)"

sed -i 's/^  if (db \&\& path) db->log = fopen(path, "ab+");$/  if (db \&\& path) {\n    db->log = fopen(path, "ab+");\n    if (!db->log) {\n      free(db);\n      return NULL;\n    }\n  }/' src/tinykv.c
ci alice "2025-03-26 09:35:00" "tkv_open fails cleanly when the log cannot be opened"

cat >> README.md <<'EOF'

## Status

TinyKV is young: the API may change before 1.0. Bugs and ideas go to the
ticket tracker; design notes live in the wiki.
EOF
ci alice "2025-04-01 10:10:00" "README: project status"

sed -i 's/^clean:$/clean:\n\trm -f tkv tests\/test_basic tests\/test_many tests\/test_persist/' Makefile
ci bob "2025-04-03 17:05:00" "make clean removes the tool and test binaries"

sed -i 's#  fprintf(stderr, "usage: tkv DB (get KEY | put KEY VALUE | del KEY)\\n");#  fprintf(stderr, "usage: tkv DB (get KEY | put KEY VALUE | del KEY)\\n       tkv --version\\n");#' src/cli.c
ci bob "2025-04-07 11:30:00" "Usage mentions --version"

cat >> docs/cli.md <<'EOF'
    tkv --version           print the version

Exit status: 0 on success, 1 when a key is missing or an operation failed,
2 on a usage error.
EOF
ci bob "2025-04-08 09:45:00" "Document exit statuses of tkv"

sed -i 's/^uint32_t tkv_hash(const char \*key) {$/uint32_t tkv_hash(const char *key) {\n  if (!key) return 0;/' src/hash.c
ci alice "2025-04-14 14:00:00" "tkv_hash(NULL) returns 0 instead of crashing"

sed -i 's/^- Builds cleanly with -Wpedantic.$/- Builds cleanly with -Wpedantic.\n- tkv_open returns NULL when the log cannot be opened./' CHANGELOG.md
ci alice "2025-04-15 10:20:00" "Changelog: tkv_open failure"
