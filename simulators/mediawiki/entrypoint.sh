#!/bin/bash
# The mediawiki environment's entry script: starts MariaDB, waits for it, then Apache with mod_php.
# On SIGTERM it stops Apache first, then MariaDB (a clean InnoDB shutdown), and exits.
set -u
# A boot from a snapshot of a running environment finds its servers' pid files: nothing runs yet, so
# they are stale (Apache would take one for a running server and exit).
rm -f /run/apache2/apache2.pid /run/mysqld/mysqld.pid
mkdir -p /run/mysqld /run/apache2 /var/lock/apache2
chown mysql:mysql /run/mysqld

setpriv --reuid=mysql --regid=mysql --init-groups /usr/sbin/mariadbd &
db=$!
web=
stop() {
  [ -n "$web" ] && kill -TERM "$web" 2>/dev/null && wait "$web" 2>/dev/null
  kill -TERM "$db" 2>/dev/null
  wait "$db" 2>/dev/null
  exit 0
}
trap stop TERM INT

for _ in $(seq 1 300); do
  mariadb-admin --protocol=socket ping >/dev/null 2>&1 && break
  kill -0 "$db" 2>/dev/null || { echo "mariadbd exited" >&2; exit 1; }
  sleep 0.1
done

# Debian's envvars is written for sh without -u.
set +u
# shellcheck source=/dev/null
. /etc/apache2/envvars
set -u
/usr/sbin/apache2 -DFOREGROUND &
web=$!

# wait returns early when a trapped signal arrives; stop() then reaps both servers.
wait "$web" || true
wait "$web" 2>/dev/null || true
stop
