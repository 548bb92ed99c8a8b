#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to the version of the
# admin-tools image, then exits. Safe to run on every start: an existing database is kept,
# `setup-schema -v 0.0` only adds the version table when it is missing, and `update-schema`
# applies just the versions not yet applied, which is also how a server upgrade gets its
# schema changes. SQL_PASSWORD comes from the environment.
set -eu

SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" "$@"
}

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) dir=temporal ;;
    *) dir=visibility ;;
  esac
  echo "schema: database $db"
  # Fails when the database exists (PostgreSQL itself creates one named after the user);
  # a real connection problem still fails the next command.
  sql_tool --db "$db" create || echo "schema: $db exists already"
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$SCHEMA_ROOT/$dir/versioned"
done
echo "schema: up to date"
