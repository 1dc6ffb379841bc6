#!/usr/bin/env bash
# Runs psql's meta-commands, then drives an interactive psql in tmux and presses
# Tab in the places people do, so psql's tab-completion queries are sent.
# Usage: psql-session.sh <port>
set -euo pipefail
PORT=$1
PSQL="psql -X -h 127.0.0.1 -p $PORT -U lakegate lakegate"
for cmd in '\l' '\dn' '\dn+' '\dt' '\dt lake.*' '\dt+ lake.*' '\dv' '\dv lake.*' '\d lake.trips' '\d+ lake.trips' '\d lake.daily_trips' '\d+ lake.daily_trips' '\d' '\df' '\df lake.*' '\du' '\dg' '\dp lake.*' '\dT' '\dx' '\ds' '\di' '\dd lake.*' '\dC' '\dconfig' '\conninfo' '\encoding'; do
  PGAPPNAME=psql $PSQL -c "$cmd" >/dev/null
done
S=psqlcap$$
tmux new-session -d -s "$S" -x 200 -y 50 "env PGAPPNAME=psql-tab $PSQL"
sleep 1
tab() { tmux send-keys -t "$S" "$1" Tab Tab; sleep 0.7; tmux send-keys -t "$S" C-c; sleep 0.3; }
tab 'SELECT * FROM '
tab 'SELECT * FROM la'
tab 'SELECT * FROM lake.'
tab 'SELECT * FROM lake.tr'
tab 'SELECT * FROM lake.trips WHERE pick'
tab 'SELECT pay'
tab '\d '
tab '\d lake.z'
tab '\dt '
tab '\dn '
tab 'SET '
tab 'SET search_'
tab 'SHOW '
tab 'TABLE '
tab 'INSERT INTO lake.zones ('
tab '\c '
tab 'SELECT lower('
tmux send-keys -t "$S" '\q' Enter
sleep 0.5
tmux kill-session -t "$S" 2>/dev/null || true
