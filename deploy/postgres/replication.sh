#!/bin/bash
# Run once by the postgres image at initdb: let the replica connect for streaming replication.
set -e
echo "host replication rbx all scram-sha-256" >> "$PGDATA/pg_hba.conf"
