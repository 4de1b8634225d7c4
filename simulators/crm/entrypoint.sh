#!/bin/bash
# The crm environment's entry script: starts PostgreSQL, waits for it, then trytond (which also serves
# the sao web client) on port 8000. On SIGTERM it stops trytond first, then PostgreSQL
# (pg_ctl stop -m fast), and exits.
set -u
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=/var/lib/postgresql/15/main
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }

# Replication slots are Terrarium's capture markers of a running environment. One booting from a disk
# snapshot must not keep its source's (nothing reads them; they would pin the WAL): the server makes its own.
rm -rf "$PGDATA"/pg_replslot/terrarium_*
# Nothing runs yet at a boot: a pid file a snapshot of a running environment brought along is stale.
rm -f "$PGDATA"/postmaster.pid
install -d -o postgres -g postgres -m 2775 /var/run/postgresql /var/run/postgresql/15-main.pg_stat_tmp
as postgres "$PGBIN/postgres" -D "$PGDATA" -c config_file=/etc/postgresql/15/main/postgresql.conf &
db=$!
web=
stop() {
  trap '' TERM INT
  if [ -n "$web" ]; then
    kill -TERM "$web" 2>/dev/null
    wait "$web" 2>/dev/null
  fi
  as postgres "$PGBIN/pg_ctl" stop -D "$PGDATA" -m fast -s -t 20 2>/dev/null || kill -INT "$db" 2>/dev/null
  wait "$db" 2>/dev/null
  exit 0
}
trap stop TERM INT

for _ in $(seq 1 300); do
  as postgres "$PGBIN/pg_isready" -q -h /var/run/postgresql && break
  kill -0 "$db" 2>/dev/null || { echo "postgres exited" >&2; exit 1; }
  sleep 0.1
done

as tryton env HOME=/var/lib/tryton trytond -c /etc/tryton/trytond.conf &
web=$!

# wait returns early when a trapped signal arrives; stop() then reaps both servers.
wait "$web" || true
wait "$web" 2>/dev/null || true
web=
stop
