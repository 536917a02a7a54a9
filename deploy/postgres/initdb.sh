#!/bin/sh
# Runs once, when the PostgreSQL volume is initialised (docker-entrypoint-initdb.d).
# Creates the application's database and the role Temporal uses; auto-setup then
# creates Temporal's own databases (temporal, temporal_visibility) with that role.
# Changing the passwords later means ALTER ROLE by hand: this script does not run again.
set -e

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v b2b_password="$B2B_DB_PASSWORD" \
    -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE b2b LOGIN PASSWORD :'b2b_password';
CREATE DATABASE b2b OWNER b2b;
REVOKE ALL ON DATABASE b2b FROM PUBLIC;

CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
