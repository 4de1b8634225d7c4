#!/bin/bash
# PID 1's child in the fossil environment: serves the repository as user fossil and stops at once on
# SIGTERM. Fossil builds every URL from the request's Host header, so it works behind any proxy.
set -u
cd /data
setpriv --reuid=fossil --regid=fossil --init-groups env HOME=/home/fossil \
  fossil server --port 8080 --jsmode bundled /data/project.fossil &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' TERM INT
# wait returns early when a trapped signal arrives; the second wait reaps the server.
wait "$server" || true
wait "$server" 2>/dev/null || true
