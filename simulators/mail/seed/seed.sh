#!/bin/bash
# Configures Postfix, Dovecot, Apache and Roundcube, and seeds the mail store and Roundcube's database.
# Runs once, at image build, in the layer that creates the mail store.
set -euo pipefail
SEED=/opt/terrarium/seed
USERS="alice bob carol dana erik outbound"

groupadd --gid 5000 vmail
useradd --no-create-home --uid 5000 --gid 5000 --home-dir /var/mail/kestrel --shell /usr/sbin/nologin vmail

# Dovecot: the users and their passwords (<login>-password), the mail store layout.
rm -f /etc/dovecot/conf.d/*.conf
cp "$SEED/dovecot.conf" /etc/dovecot/conf.d/10-kestrel.conf
sed -i 's/^!include_try .*protocol.*//' /etc/dovecot/dovecot.conf
: >/etc/dovecot/users
for u in $USERS; do echo "$u:{PLAIN}$u-password" >>/etc/dovecot/users; done
chown root:dovecot /etc/dovecot/users && chmod 0640 /etc/dovecot/users

# Postfix: kestrel.example is a virtual mailbox domain; the pcre map sends the rest to outbound.
cp /usr/share/postfix/main.cf.debian /etc/postfix/main.cf
: >/etc/postfix/vmailbox
for u in $USERS; do echo "$u@kestrel.example $u/INBOX/" >>/etc/postfix/vmailbox; done
postmap /etc/postfix/vmailbox
cp "$SEED/virtual.pcre" /etc/postfix/virtual.pcre
postconf -e myhostname=mail.kestrel.example mydomain=kestrel.example myorigin=kestrel.example \
  mydestination=localhost inet_interfaces=all inet_protocols=ipv4 mynetworks=0.0.0.0/0 relayhost= \
  virtual_mailbox_domains=kestrel.example virtual_mailbox_base=/var/mail/kestrel \
  virtual_mailbox_maps=hash:/etc/postfix/vmailbox virtual_alias_maps=pcre:/etc/postfix/virtual.pcre virtual_alias_domains= \
  virtual_uid_maps=static:5000 virtual_gid_maps=static:5000 virtual_minimum_uid=100 \
  smtpd_relay_restrictions=permit_mynetworks,reject smtpd_recipient_restrictions=permit_mynetworks,reject \
  message_size_limit=26214400 maillog_file=/dev/stdout compatibility_level=3.6 \
  smtpd_banner='$myhostname ESMTP' biff=no alias_maps= alias_database=
postconf -F '*/*/chroot = n'
newaliases || true

# Apache serves Roundcube at the root of port 80.
cp "$SEED/apache-site.conf" /etc/apache2/sites-available/000-default.conf
echo 'ServerName mail.kestrel.example' >/etc/apache2/conf-available/servername.conf
a2enconf -q servername roundcube >/dev/null
sed -i 's/^Listen 443/#Listen 443/' /etc/apache2/ports.conf

# Roundcube's configuration and database (its users, identities and address books).
cp "$SEED/config.inc.php" /etc/roundcube/config.inc.php
chown root:www-data /etc/roundcube/config.inc.php && chmod 0640 /etc/roundcube/config.inc.php
install -d -o www-data -g www-data -m 0770 /var/lib/roundcube/db
sqlite3 /var/lib/roundcube/db/roundcube.sqlite </usr/share/roundcube/SQL/sqlite.initial.sql
sqlite3 /var/lib/roundcube/db/roundcube.sqlite <"$SEED/roundcube.sql"
chown www-data:www-data /var/lib/roundcube/db/roundcube.sqlite && chmod 0660 /var/lib/roundcube/db/roundcube.sqlite

# The mail store: the seeded messages, their folders, and an empty Maildir per folder Dovecot makes.
install -d -o vmail -g vmail /var/mail/kestrel /var/lib/dovecot-index /var/lib/dovecot-control /var/lib/dovecot-home
cp -r "$SEED/maildir/." /var/mail/kestrel/
for u in $USERS; do
  for f in INBOX Drafts Sent Trash Junk Archive; do mkdir -p "/var/mail/kestrel/$u/$f"; done
done
find /var/mail/kestrel -mindepth 2 -maxdepth 2 -type d -exec mkdir -p {}/cur {}/new {}/tmp \;
chown -R vmail:vmail /var/mail/kestrel
# Every folder subscribed, and Dovecot's indexes built now (they live outside the store).
install -d /run/dovecot && dovecot
for u in $USERS; do
  find "/var/mail/kestrel/$u" -mindepth 1 -maxdepth 1 -type d ! -name INBOX -printf '%f\n' | while read -r f; do
    doveadm mailbox subscribe -u "$u" "$f"
  done
  doveadm force-resync -u "$u" '*'
done
chown -R vmail:vmail /var/lib/dovecot-index /var/lib/dovecot-control /var/lib/dovecot-home
doveadm stop
