-- Passwords of the two roles deploy/postgres/roles.sql creates, from psql variables:
--   psql … -v ON_ERROR_STOP=1 -v migrator_password="…" -v app_password="…" \
--       -f deploy/postgres/passwords.sql
-- (compose's postgres-roles service runs it with the values in deploy/.env). Rerun to rotate:
-- the services' and the migration's database URLs must change with it.
ALTER ROLE academy_migrator WITH LOGIN PASSWORD :'migrator_password';
ALTER ROLE academy_app WITH LOGIN PASSWORD :'app_password';
