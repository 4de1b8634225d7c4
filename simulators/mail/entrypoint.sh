#!/bin/bash
# The mail environment's entry script: Dovecot (IMAP, 143), Postfix (SMTP, 25) and Apache with
# Roundcube (HTTP, 80). On SIGTERM it stops Apache, Postfix and Dovecot, and exits.
set -u
# Nothing runs yet at a boot: pid files a snapshot of a running environment brought along are stale.
rm -f /run/dovecot/master.pid /var/spool/postfix/pid/*.pid /run/apache2/apache2.pid
install -d /run/dovecot /run/apache2 /var/log/roundcube
/usr/sbin/dovecot -F &
imap=$!
postfix start-fg &
smtp=$!
# Roundcube answers (the readiness check) only once IMAP and SMTP accept connections, so a ready
# environment can send mail at once.
for _ in $(seq 1 300); do
  (exec 3<>/dev/tcp/127.0.0.1/143 && exec 4<>/dev/tcp/127.0.0.1/25) 2>/dev/null && break
  sleep 0.1
done
# Apache's envvars breaks under set -u.
set +u
# shellcheck disable=SC1091
. /etc/apache2/envvars
set -u
apache2 -DFOREGROUND &
web=$!
stop() {
  trap '' TERM INT
  kill -TERM "$web" 2>/dev/null
  postfix stop >/dev/null 2>&1 || kill -TERM "$smtp" 2>/dev/null
  kill -TERM "$imap" 2>/dev/null
  wait 2>/dev/null
  exit 0
}
trap stop TERM INT
# wait returns early when a trapped signal arrives; any server exiting stops the others.
wait -n "$imap" "$smtp" "$web" || true
stop
