#!/bin/sh
# Roles, database and pgvector for Archivist, as a PostgreSQL superuser; idempotent.
#
# The compose file runs it once, when the Postgres volume is first created. For a managed
# PostgreSQL (the Helm chart), run it once as the admin user:
#   PGHOST=db.internal PGUSER=postgres ARCHIVIST_DB_OWNER_PASSWORD=… ARCHIVIST_DB_APP_PASSWORD=… \
#     sh deploy/postgres/init-archivist.sh
#
# Two roles, neither a superuser nor exempt from row-level security: archivist_owner owns the
# tables and runs migrations; archivist_app is what the API and workers connect as, bound by RLS.
set -eu
: "${ARCHIVIST_DB_OWNER_PASSWORD:?set ARCHIVIST_DB_OWNER_PASSWORD}"
: "${ARCHIVIST_DB_APP_PASSWORD:?set ARCHIVIST_DB_APP_PASSWORD}"
database="${ARCHIVIST_DB_NAME:-archivist}"
admin_db="${POSTGRES_DB:-postgres}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname "$admin_db" \
    -v owner_pw="$ARCHIVIST_DB_OWNER_PASSWORD" -v app_pw="$ARCHIVIST_DB_APP_PASSWORD" \
    -v db="$database" <<'SQL'
SELECT format('%s ROLE archivist_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD %L',
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'archivist_owner')
                   THEN 'ALTER' ELSE 'CREATE' END, :'owner_pw') \gexec
SELECT format('%s ROLE archivist_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD %L',
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'archivist_app')
                   THEN 'ALTER' ELSE 'CREATE' END, :'app_pw') \gexec
SELECT format('CREATE DATABASE %I OWNER archivist_owner', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL

psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname "$database" -v db="$database" <<'SQL'
CREATE EXTENSION IF NOT EXISTS vector;
GRANT CONNECT ON DATABASE :"db" TO archivist_app;
GRANT USAGE ON SCHEMA public TO archivist_app;
ALTER SCHEMA public OWNER TO archivist_owner;
SQL
