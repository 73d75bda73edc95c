-- The login role `galley serve` and the editorial CLI use: a member of galley_app (whose
-- privileges the migrations grant, sql/0013), no superuser, owning nothing, so it cannot
-- switch off the audit log's triggers. Run by the owner or a superuser, as often as you like:
--   psql -v app_password=… -f scripts/lib/app-login.sql    (the password is optional: peer
--   authentication on a Unix socket, as scripts/db uses, needs none)
-- Used by scripts/db, scripts/contract-test and docker-compose.yml.
SET client_min_messages = warning;
SELECT 'CREATE ROLE galley_app NOLOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'galley_app') \gexec
SELECT 'CREATE ROLE galley_app_login'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'galley_app_login') \gexec
ALTER ROLE galley_app_login LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT galley_app TO galley_app_login;
\if :{?app_password}
ALTER ROLE galley_app_login PASSWORD :'app_password';
\endif
