#!/bin/sh
# The two roles the app connects as, created once on an empty data directory (the owner, POSTGRES_USER, runs the
# migrations). Neither can bypass row-level security nor owns a table:
#   paper_app     the request role: the read model and the settings, as one bound user (PAPER_APP_PASSWORD_FILE)
#   paper_engine  the engine role: event store, sagas, projections, order desk, scheduler (PAPER_ENGINE_PASSWORD_FILE)
# Their passwords are the ones the `secrets` service generated. The migrations grant each what it needs.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_pw="$(cat "$PAPER_APP_PASSWORD_FILE")" -v engine_pw="$(cat "$PAPER_ENGINE_PASSWORD_FILE")" <<'SQL'
CREATE ROLE paper_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_pw';
CREATE ROLE paper_engine LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'engine_pw';
SQL
