#!/bin/bash
# Builds the helpdesk environment's starting state: configures PostgreSQL for capture, creates RT's
# database with rt-setup-database, and seeds Kestrel Systems' help desk through RT's API (seed.pl).
# Runs once, at image build time, in the layer that creates the PostgreSQL data directory.
set -euo pipefail

SEED=$(dirname "$(readlink -f "$0")")
PGCONF=/etc/postgresql/15/main
RTETC=/etc/request-tracker5
psql_su() { setpriv --reuid=postgres --regid=postgres --init-groups psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# PostgreSQL: settings for logical decoding and the capture account's access.
cp "$SEED/postgresql.conf" "$PGCONF/conf.d/terrarium.conf"
cat "$SEED/pg_hba.conf" >> "$PGCONF/pg_hba.conf"
pg_ctlcluster 15 main start
psql_su -d postgres -c "SHOW server_encoding" -tA | grep -qx UTF8
psql_su -d postgres <<'SQL'
CREATE ROLE rt_user LOGIN PASSWORD 'rt-db-password';
CREATE ROLE terrarium LOGIN REPLICATION PASSWORD 'terrarium-capture';
CREATE DATABASE rtdb OWNER rt_user ENCODING 'UTF8' TEMPLATE template0;
SQL
psql_su -d rtdb -f "$SEED/capture.sql"

# RT: Terrarium's site configuration instead of Debian's debconf and dbconfig-common files.
rm -f "$RTETC"/RT_SiteConfig.d/50-debconf.pm "$RTETC"/RT_SiteConfig.d/51-dbconfig-common.pm \
  "$RTETC"/RT_SiteConfig.d/60-logging.pm
install -m 640 -o root -g www-data "$SEED/RT_SiteConfig.pm" "$RTETC/RT_SiteConfig.d/99-terrarium.pm"
chgrp www-data "$RTETC/RT_SiteConfig.pm" && chmod 640 "$RTETC/RT_SiteConfig.pm"
install -m 755 "$SEED/terrarium-outbox" /usr/local/bin/terrarium-outbox
install -m 644 "$SEED/app.psgi" /opt/terrarium/app.psgi
install -d -o www-data -g www-data -m 755 /var/spool/rt-outbox /var/spool/rt-outbox/sent \
  /var/spool/rt-outbox/sent/new /var/spool/rt-outbox/sent/cur /var/spool/rt-outbox/sent/tmp

cd /tmp
rt-setup-database-5 --action schema,acl,coredata --skip-create --dba rt_user --dba-password rt-db-password
rt-setup-database-5 --action insert --dba rt_user --dba-password rt-db-password \
  --datafile /usr/share/request-tracker5/etc/initialdata
SEED_DIR="$SEED" perl "$SEED/seed.pl"

psql_su -d rtdb -f "$SEED/finish.sql"
psql_su -d rtdb -tA -c "SELECT 'tickets: ' || count(*) FROM tickets UNION ALL SELECT 'transactions: ' || count(*) FROM transactions"
pg_ctlcluster 15 main stop -m fast
# Build-time logs, sessions and the seed's outgoing mail are not part of the starting state.
rm -f /var/log/postgresql/*.log
find /var/spool/rt-outbox/sent -type f -delete
rm -rf /var/cache/request-tracker5/mason_data/obj/* /var/cache/request-tracker5/session_data/* 2>/dev/null || true
