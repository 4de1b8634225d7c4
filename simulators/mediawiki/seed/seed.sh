#!/bin/bash
# Builds the wiki: MariaDB data directory, MediaWiki install, accounts, and the Kestrel Systems
# knowledge base imported with its page histories. Runs once, at image build time.
set -euo pipefail
SEED=$(dirname "$(readlink -f "$0")")
MW=/usr/share/mediawiki
DB=wikidb

# Configuration: MariaDB (binlog for capture), Apache (wiki at /, no PHP under images/).
install -m 644 "$SEED/mariadb.cnf" /etc/mysql/mariadb.conf.d/60-terrarium.cnf
install -m 644 "$SEED/apache-site.conf" /etc/apache2/sites-available/mediawiki.conf
install -m 644 "$SEED/apache-prefork.conf" /etc/apache2/conf-available/terrarium-prefork.conf
a2dissite -q 000-default && a2ensite -q mediawiki
a2disconf -q mediawiki && a2enconf -q terrarium-prefork
a2enmod -q headers

# The data directory, created and seeded in this one layer. No binlog while seeding.
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >/dev/null
setpriv --reuid=mysql --regid=mysql --init-groups /usr/sbin/mariadbd --skip-log-bin --skip-networking 2>/tmp/mariadbd.log &
db=$!
for _ in $(seq 1 300); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 0.1; done

mariadb <<SQL
CREATE DATABASE $DB CHARACTER SET binary;
CREATE USER 'wikiuser'@'localhost' IDENTIFIED BY 'wikiuser-password';
GRANT ALL PRIVILEGES ON $DB.* TO 'wikiuser'@'localhost';
-- Capture (from the host, over TCP): the binlog stream and read access.
CREATE USER 'terrarium'@'%' IDENTIFIED BY 'terrarium-capture';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD ON *.* TO 'terrarium'@'%';
FLUSH PRIVILEGES;
SQL

php "$MW/maintenance/install.php" --confpath=/etc/mediawiki \
  --dbtype=mysql --dbserver=localhost --dbname=$DB --dbuser=wikiuser --dbpass=wikiuser-password \
  --server=http://localhost --scriptpath="" --lang=en --pass=terrarium-admin \
  "Kestrel Wiki" admin >/tmp/install.log || { cat /tmp/install.log; exit 1; }
cat "$SEED/LocalSettings.terrarium.php" >> /etc/mediawiki/LocalSettings.php

# Accounts (documented in simulator.yaml and README.md); install.php made admin sysop and bureaucrat.
for u in alice bob carol; do
  php "$MW/maintenance/createAndPromote.php" "$u" "$u-password" >/dev/null
done

# The installer's Main Page is replaced by the knowledge base's own (imported with its history).
echo "Main Page" > /tmp/delete.txt
php "$MW/maintenance/deleteBatch.php" -u admin /tmp/delete.txt >/dev/null
php "$MW/maintenance/deleteArchivedRevisions.php" --delete >/dev/null
mariadb $DB -e "DELETE FROM logging; DELETE FROM recentchanges;"

# Pages with their histories: seed/pages/*.wiki become an XML dump, dated relative to the build.
php "$SEED/genxml.php" "$SEED/pages" > /tmp/seed.xml
php "$MW/maintenance/importDump.php" --no-updates /tmp/seed.xml >/dev/null

# Uploaded files (descriptions in seed/files/NAME.txt).
mkdir -p /tmp/images && cp "$SEED"/files/*.txt /tmp/images/
convert -font DejaVu-Sans -size 640x360 xc:white -fill '#dbe9f6' -stroke '#2a5d8f' -strokewidth 2 \
  -draw 'rectangle 30,140 170,220' -draw 'rectangle 250,60 390,140' -draw 'rectangle 250,220 390,300' \
  -draw 'rectangle 470,140 610,220' -draw 'line 170,180 250,100' -draw 'line 170,180 250,260' \
  -draw 'line 390,100 470,180' -draw 'line 390,260 470,180' -stroke none -fill '#1b2b3a' -pointsize 16 \
  -draw "text 60,185 'API gateway'" -draw "text 270,105 'Route planner'" -draw "text 275,265 'Event queue'" \
  -draw "text 500,185 'PostgreSQL'" /tmp/images/Dispatch-architecture.png
convert -font DejaVu-Sans -size 256x256 xc:none -fill '#2a5d8f' -draw 'circle 128,128 128,16' -fill white -pointsize 120 \
  -gravity center -annotate +0+0 'K' /tmp/images/Kestrel-logo.png
convert -font DejaVu-Sans -size 480x200 xc:white -fill '#e8f4e8' -stroke '#3c7a3c' -draw 'rectangle 10,60 110,140' \
  -draw 'rectangle 130,60 230,140' -draw 'rectangle 250,60 350,140' -draw 'rectangle 370,60 470,140' \
  -stroke none -fill black -pointsize 14 -draw "text 35,105 'Build'" -draw "text 160,105 'Test'" \
  -draw "text 270,105 'Staging'" -draw "text 385,105 'Production'" /tmp/images/Release-pipeline.png
php "$MW/maintenance/importImages.php" --user=Alice \
  --extensions=png --comment-ext=txt /tmp/images >/dev/null
# Thumbnails the seeded pages show (page thumbs, their 1.5x/2x variants, the 120px history and
# gallery images), made now so that merely viewing a page writes no files under images/.
for f in Dispatch-architecture.png Kestrel-logo.png Release-pipeline.png; do
  printf '[[File:%s|thumb]] [[File:%s|thumb|300px]] [[File:%s|120px]]\n<gallery>\nFile:%s\n</gallery>\n' "$f" "$f" "$f" "$f" \
    | php "$MW/maintenance/parse.php" --title=Sandbox >/dev/null
done

php "$MW/maintenance/refreshLinks.php" >/dev/null
php "$MW/maintenance/initSiteStats.php" --update >/dev/null
php "$MW/maintenance/rebuildrecentchanges.php" >/dev/null
php "$MW/maintenance/runJobs.php" >/dev/null
php "$MW/maintenance/update.php" --quick >/dev/null

mariadb-admin shutdown
wait "$db" || true
chown -R www-data:www-data /var/lib/mediawiki/images /var/lib/mediawiki/cache
chmod 755 /var/lib/mediawiki/images
rm -rf /tmp/* /var/log/apache2/* /var/lib/mysql/*.err
