#!/bin/sh
# The role request handling uses: it can neither bypass row-level security nor own the tables.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v pw="$PAPER_APP_PASSWORD" <<'SQL'
CREATE ROLE paper_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'pw';
SQL
