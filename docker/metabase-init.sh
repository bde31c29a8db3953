#!/bin/sh
# Finishes Metabase's first-run setup: an admin user, and the Retail Pulse warehouse (the
# PostgreSQL star schema) as a database. Does nothing when Metabase is already set up.
set -eu
MB=http://metabase:3000
if curl -fs "$MB/api/session/properties" | grep -q '"has-user-setup":true'; then
  echo "metabase is already set up"
  exit 0
fi
TOKEN=$(curl -fs "$MB/api/session/properties" | sed -n 's/.*"setup-token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "metabase gave no setup token" >&2; exit 1; }
curl -fs -X POST "$MB/api/setup" -H 'Content-Type: application/json' -d @- <<JSON
{"token":"$TOKEN",
 "user":{"email":"$MB_ADMIN_EMAIL","password":"$MB_ADMIN_PASSWORD","first_name":"Retail","last_name":"Pulse","site_name":"Retail Pulse"},
 "prefs":{"site_name":"Retail Pulse","site_locale":"en","allow_tracking":false},
 "database":{"engine":"postgres","name":"Retail Pulse warehouse",
   "details":{"host":"postgres","port":5432,"dbname":"$POSTGRES_DB","user":"$POSTGRES_USER","password":"$POSTGRES_PASSWORD","ssl":false}}}
JSON
echo
echo "metabase is set up: http://127.0.0.1:3000 ($MB_ADMIN_EMAIL)"
