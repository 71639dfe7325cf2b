-- Licensing Academy database roles (deploy/README.md, "Database roles").
--
--   academy_migrator  owns every service schema and everything in it; the migration Jobs
--                     (`academy <cli> migrate`) connect as it. CREATE on the database lets a
--                     service's first migration create its schema.
--   academy_app       what the running services connect as: reads and writes rows and uses
--                     sequences in those schemas; it cannot create, alter or drop anything.
--
-- Run it as the database's owner or a superuser, in the service database, before the first
-- migration; it is idempotent, so run it again after an upgrade:
--   psql "postgresql://<admin>@<host>:5432/academy" -v ON_ERROR_STOP=1 -f deploy/postgres/roles.sql
-- Then set both passwords (deploy/postgres/passwords.sql; compose does it from deploy/.env).
-- Plain SQL, no psql variables, so any client can apply it (deploy/tests does).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'academy_migrator') THEN
        CREATE ROLE academy_migrator LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'academy_app') THEN
        CREATE ROLE academy_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    EXECUTE format(
        'GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO academy_migrator', current_database()
    );
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO academy_app', current_database());
END
$$;

-- Only owners create objects in public (the default from Postgres 15 on; explicit for 14).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Whatever the migrator creates from now on, the app may use: the schema, the rows of its
-- tables and its sequences; never its definition.
ALTER DEFAULT PRIVILEGES FOR ROLE academy_migrator
    GRANT USAGE ON SCHEMAS TO academy_app;
ALTER DEFAULT PRIVILEGES FOR ROLE academy_migrator
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO academy_app;
ALTER DEFAULT PRIVILEGES FOR ROLE academy_migrator
    GRANT USAGE, SELECT ON SEQUENCES TO academy_app;

-- The same for schemas the migrator already owns (a database moved to these roles with
-- `REASSIGN OWNED BY <old role> TO academy_migrator`, deploy/README.md).
DO $$
DECLARE
    owned name;
BEGIN
    FOR owned IN
        SELECT nspname FROM pg_namespace WHERE nspowner = 'academy_migrator'::regrole
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO academy_app', owned);
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO academy_app', owned
        );
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO academy_app', owned);
    END LOOP;
END
$$;
