#!/usr/bin/env bash
# Captures what real clients send to PostgreSQL 15 and writes it to
# test/corpus/*.json (the replay corpus). Needs root (runs PostgreSQL as the
# postgres user), psql, tmux, java + libpostgresql-jdbc-java, Debian's
# python3-psycopg2/-sqlalchemy/-pandas/-asyncpg, and the repo's node_modules.
# Usage: bash test/corpus/capture/capture.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d /tmp/lakegate-capture-XXXXXX)
chown postgres "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$BIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
cat >> "$WORK/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
logging_collector = on
log_destination = 'csvlog'
log_directory = '$WORK/log'
log_filename = 'pg.log'
log_statement = 'all'
CONF
runuser -u postgres -- "$BIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.out" start >/dev/null
trap 'runuser -u postgres -- "$BIN/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null; rm -rf "$WORK"' EXIT
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres postgres -f "$HERE/mirror-setup.sql" >/dev/null
PGAPPNAME=mirror psql -X -q -h 127.0.0.1 -p "$PORT" -U lakegate lakegate -f "$HERE/mirror-schema.sql" >/dev/null
URL="postgresql://lakegate:lakegate@127.0.0.1:$PORT/lakegate"

bash "$HERE/psql-session.sh" "$PORT"
java -cp /usr/share/java/postgresql.jar "$ROOT/test/clients/jdbc/JdbcProbe.java" "jdbc:postgresql://127.0.0.1:$PORT/lakegate" lakegate lakegate >/dev/null
/usr/bin/python3 "$ROOT/test/clients/python/sqlalchemy_probe.py" "$URL" >/dev/null
/usr/bin/python3 "$ROOT/test/clients/python/asyncpg_probe.py" "$URL" >/dev/null
(cd "$ROOT" && node "$HERE/node-clients.mjs" "$URL" >/dev/null)
sleep 1
/usr/bin/python3 "$HERE/extract.py" "$WORK/log/pg.csv" "$ROOT/test/corpus"
