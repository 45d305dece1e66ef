#!/bin/sh
# The role request handling uses: it can neither bypass row-level security nor own the tables. Its password is
# the one the `secrets` service generated (PAPER_APP_PASSWORD_FILE).
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v pw="$(cat "$PAPER_APP_PASSWORD_FILE")" <<'SQL'
CREATE ROLE paper_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'pw';
SQL
