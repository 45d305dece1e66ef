-- The role request handling uses. It must never bypass row-level security: not a superuser, no BYPASSRLS,
-- and not the owner of the tables (owners are exempt unless FORCE ROW LEVEL SECURITY). The embedded default
-- and the tests create it with a password first; on an operator's server it may already exist.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${appRole}') THEN
        CREATE ROLE ${appRole} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO ${appRole};
-- Tables and sequences created by later migrations (run by the owner) are usable by the app role.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${appRole};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${appRole};
