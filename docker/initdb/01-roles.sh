#!/bin/sh
# The two roles the app connects as (the owner, POSTGRES_USER, runs the migrations). Neither can bypass row-level
# security nor owns a table:
#   paper_app     the request role: the read model and the settings, as one bound user (PAPER_APP_PASSWORD_FILE)
#   paper_engine  the engine role: event store, sagas, projections, order desk, scheduler (PAPER_ENGINE_PASSWORD_FILE)
# Their passwords are the ones the `secrets` service generated; the migrations grant each what it needs. Run once
# on an empty data directory, and safe to run again: a role that exists is left alone, so a stack created before
# the engine role existed gets it with `docker compose exec postgres sh /docker-entrypoint-initdb.d/01-roles.sh`.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_pw="$(cat "$PAPER_APP_PASSWORD_FILE")" -v engine_pw="$(cat "$PAPER_ENGINE_PASSWORD_FILE")" <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'paper_app') AS create_app,
       NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'paper_engine') AS create_engine \gset
\if :create_app
CREATE ROLE paper_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_pw';
\endif
\if :create_engine
CREATE ROLE paper_engine LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'engine_pw';
\endif
SQL
