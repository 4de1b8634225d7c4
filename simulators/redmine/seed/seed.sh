#!/bin/bash
# Builds the redmine environment's starting state: configures PostgreSQL for capture, creates the
# redmine database, installs Redmine's schema and default data, and seeds the Kestrel Systems company
# through Redmine's own models (seed.rb). Runs once, at image build time, in the layer that creates
# the PostgreSQL data directory.
set -euo pipefail

SEED=$(dirname "$(readlink -f "$0")")
PGCONF=/etc/postgresql/15/main
REDMINE=/usr/share/redmine
as_www() { setpriv --reuid=www-data --regid=www-data --init-groups env HOME=/tmp "$@"; }
psql_su() { setpriv --reuid=postgres --regid=postgres --init-groups psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# PostgreSQL: settings for logical decoding and the capture account's access.
cp "$SEED/postgresql.conf" "$PGCONF/conf.d/terrarium.conf"
cat "$SEED/pg_hba.conf" >> "$PGCONF/pg_hba.conf"
pg_ctlcluster 15 main start
psql_su -d postgres -c "SHOW server_encoding" -tA | grep -qx UTF8
psql_su -d postgres <<'SQL'
CREATE ROLE redmine LOGIN PASSWORD 'redmine';
CREATE ROLE terrarium LOGIN REPLICATION PASSWORD 'terrarium-capture';
CREATE DATABASE redmine OWNER redmine ENCODING 'UTF8' TEMPLATE template0;
SQL
psql_su -d redmine -f "$SEED/capture.sql"

# Redmine: its own database.yml (dbconfig-common was skipped), mail to files, puma from Debian.
install -m 640 -o root -g www-data "$SEED/database.yml" /etc/redmine/default/database.yml
install -m 640 -o root -g www-data "$SEED/configuration.yml" /etc/redmine/default/configuration.yml
install -d -o www-data -g www-data /var/log/redmine/default/mail
echo "gem 'puma'" > "$REDMINE/Gemfile.local"
(cd "$REDMINE" && bundle install --local --quiet)
chown www-data:www-data /var/lib/redmine/Gemfile.lock
cd "$REDMINE"
as_www bundle exec rake db:migrate SCHEMA=/dev/null >/dev/null
as_www bundle exec rake redmine:load_default_data REDMINE_LANG=en >/dev/null
as_www bundle exec rails runner "$SEED/seed.rb"

psql_su -d redmine -f "$SEED/finish.sql"
setpriv --reuid=postgres --regid=postgres --init-groups psql -X -d redmine -tA -c \
  "SELECT 'issues: ' || count(*) FROM issues UNION ALL SELECT 'journals: ' || count(*) FROM journals"
pg_ctlcluster 15 main stop -m fast
# Build-time logs are not part of the starting state.
rm -f /var/log/redmine/default/*.log /var/log/postgresql/*.log
rm -rf /var/cache/redmine/default/tmp/cache/* /var/log/redmine/default/mail/*
