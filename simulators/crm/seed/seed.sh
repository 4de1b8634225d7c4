#!/bin/bash
# Builds the crm environment's starting state: configures PostgreSQL for capture, creates the tryton
# database, installs Tryton's base schema and the CRM modules (party, company, product, sale,
# sale_opportunity, party_relationship), and seeds Kestrel Systems through Tryton's own models with
# proteus (seed.py). Runs once, at image build time, in the layer that creates the PostgreSQL data.
set -euo pipefail

SEED=$(dirname "$(readlink -f "$0")")
PGCONF=/etc/postgresql/15/main
as_tryton() { setpriv --reuid=tryton --regid=tryton --init-groups env HOME=/var/lib/tryton "$@"; }
psql_su() { setpriv --reuid=postgres --regid=postgres --init-groups psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# Where Debian puts sao: trytond serves it as its web root.
SAO=$(dirname "$(find /usr/share -path '*sao*' -name index.html | head -1)")
echo "sao: $SAO"
[ "$SAO" = /usr/share/sao ] || ln -sfn "$SAO" /usr/share/sao
id tryton >/dev/null 2>&1 || useradd --system --home-dir /var/lib/tryton --shell /usr/sbin/nologin tryton
install -d -o tryton -g tryton /var/lib/tryton /var/log/tryton
install -m 640 -o root -g tryton "$SEED/trytond.conf" /etc/tryton/trytond.conf

# PostgreSQL: settings for logical decoding and the capture account's access.
cp "$SEED/postgresql.conf" "$PGCONF/conf.d/terrarium.conf"
cat "$SEED/pg_hba.conf" >> "$PGCONF/pg_hba.conf"
pg_ctlcluster 15 main start
psql_su -d postgres -c "SHOW server_encoding" -tA | grep -qx UTF8
psql_su -d postgres <<'SQL'
CREATE ROLE tryton LOGIN PASSWORD 'tryton';
CREATE ROLE terrarium LOGIN REPLICATION PASSWORD 'terrarium-capture';
CREATE DATABASE tryton OWNER tryton ENCODING 'UTF8' TEMPLATE template0;
SQL
psql_su -d tryton -f "$SEED/capture.sql"

# Tryton: base schema with the admin's password, then the CRM modules.
echo -n terrarium-admin > /tmp/admin-pass
chown tryton /tmp/admin-pass
as_tryton env TRYTONPASSFILE=/tmp/admin-pass trytond-admin -c /etc/tryton/trytond.conf -d tryton --all \
  --email admin@kestrel.example -v 2>&1 | tail -3
rm -f /tmp/admin-pass
as_tryton trytond-admin -c /etc/tryton/trytond.conf -d tryton \
  -u party company product sale sale_opportunity party_relationship --activate-dependencies 2>&1 | tail -3
as_tryton python3 "$SEED/seed.py"

psql_su -d tryton -f "$SEED/finish.sql"
setpriv --reuid=postgres --regid=postgres --init-groups psql -X -d tryton -tA -c \
  "SELECT 'parties: ' || count(*) FROM party_party UNION ALL SELECT 'opportunities: ' || count(*) FROM sale_opportunity UNION ALL SELECT 'sales: ' || count(*) FROM sale_sale"
pg_ctlcluster 15 main stop -m fast
rm -f /var/log/postgresql/*.log /var/log/tryton/*
