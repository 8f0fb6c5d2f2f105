#!/bin/sh
# docker-entrypoint-initdb.d: a streaming replica (docker-compose.yml, profile "replica") may connect for
# replication with the platform user's password.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
